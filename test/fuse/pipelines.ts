// Small pipelines that together use every IR primitive (the elaborator emits the rest from them: mean, var, std,
// softmax, log_softmax, any/all, segments, take/put, select/stack/rename, state; autodiff adds argfirst, scan_grad,
// embed). Shared by the fusion tests.
export const PIPELINES: Record<string, string> = {
  elementwise: `pipeline elementwise {
  dims B, T
  input x: f32[B,T] @policy
  input y: f32[B,T]
  input n: i32[B,T]
  input m: bool[B,T]
  output u1 = exp(x) + log(abs(y) + 1.0) + log1p(abs(x)) + expm1(x) + sqrt(abs(y)) + sign(x) + tanh(x) + sigmoid(y) + softplus(x)
  output u2 = sin(x) * cos(y) + floor(x) + ceil(y) + round(x * 3.0) + lgamma(abs(x) + 0.5)
  output u3 = maximum(x, y) - minimum(x, y) + x ** 2 + (abs(y) + 0.5) ** x + x % 0.7 + x / (y + 3.0)
  output u4 = idiv(n, 2) + n % 3 - n * 2
  output u5 = f32(x > y) + f32(x <= y and m) + f32(not m or x == y) + f32(x != y) + f32(x >= y) + f32(x < y)
  output u6 = where(m, x, y) + clamp(x, lo=-0.5, hi=0.5) + safe_div(x, y, y > 0.0, fill=-1.0) + detach(x) * y
  output u7 = i32(x * 4.0) + n
  output u8 = bool(n) and m
  output u9 = f32(n) * -x - -1.0
  loss L = sum(u1 + u2 + u3 + u6 + u9, over=[B,T])
}`,
  reductions: `pipeline reductions {
  dims P, G, T
  input x: f32[P,G,T] @policy
  input m: bool[P,G,T]
  input w: f32[P,G] @policy
  output s1 = sum(x, over=T, where=m)
  output s2 = mean(x, over=G, where=m)
  output s3 = max(x, over=P, where=m, empty=-5.0)
  output s4 = min(x, over=[G,T], where=m, empty=5.0)
  output s5 = logsumexp(x, over=T, where=m, empty=0.0)
  output s6 = count(m, over=[P,T])
  output s7 = var(x, over=T, where=m, ddof=1)
  output s8 = std(w, over=G)
  output s9 = any(m, over=T)
  output s10 = all(m, over=G)
  output s11 = mean(w, over=[P,G,T], where=m)
  output s12 = logsumexp(w, over=G)
  output s13 = max(w, over=[P,G])
  output s14 = sum(w, over=P) + min(w, over=P)
  loss L = sum(s1, over=[P,G]) + sum(s2, over=[P,T]) + sum(s3 * s3, over=[G,T]) + sum(s4, over=P) + sum(s5, over=[P,G]) + sum(s7, over=[P,G]) + sum(s12, over=P) + s11 + s13 + sum(s14, over=G)
}`,
  scans: `pipeline scans {
  dims P, G, T
  input x: f32[P,G,T] @policy
  input a: f32[P,G,T]
  input m: bool[P,G,T]
  input init: f32[P,G]
  output c1 = cumsum(x, along=T)
  output c2 = cumsum(x, along=T, reverse=true)
  output c3 = cummax(x, along=T)
  output c4 = cummin(x, along=G, reverse=true)
  output l1 = linrec(a, x, along=T, reverse=true, init=init)
  output l2 = linrec(0.9, x, along=G)
  output p1 = prev(x, along=T, fill=0.0)
  output n1 = next(m, along=T, fill=false)
  output sh = shift(x, along=T, by=2, fill=-1.0)
  output last = m and not next(m, along=T, fill=false)
  output both = cumsum(l1, along=T) + sum(c3, over=T)
  loss L = sum(c1 + c2 + c3 + c4 + l1 + l2 + p1 + sh + both, over=[P,G,T])
}`,
  selection: `pipeline selection {
  dims P, T, V
  dims T2 = T
  input logits: f32[P,T,V] @policy
  input tok: i32<V>[P,T]
  input key: id[P,T]
  input m: bool[P,T]
  input k: i32[P]
  input step: i32
  input lp: f32[P,Y,T] @policy
  output lsm = log_softmax(logits, over=V)
  output sm = softmax(logits, over=V)
  output g = take(logits, tok, along=V, fill=0.0)
  output pt = put(g, at=tok, into=V, over=T)
  output seg1 = segment_sum(g, key, over=T, where=m)
  output seg2 = segment_mean(g, key, over=T)
  output seg3 = segment_max(g, key, over=T, where=m)
  output seg4 = segment_count(m, key, over=T)
  output seg5 = segment_first(g, key, over=T, where=m)
  output seg6 = segment_min(g, key, over=T, where=m)
  output top = topk_mask(g, k=k, over=T, where=m)
  output u = uniform(dims=[P,T], seed=3, step=step)
  output idx = index(T)
  output sz = size(V)
  let s = sum(lp, over=T)
  output margin = s[Y=w] - s[Y=l]
  output swapped = Y{w: s[Y=l], l: s[Y=w]}
  output first = lp[T=0]
  output pairs = f32(g > g[T as T2])
  loss L = sum(g + seg1 + seg3 + seg5, over=[P,T]) + sum(lsm * sm, over=[P,T,V]) + sum(margin * margin, over=P) + sum(swapped * first, over=[P,Y]) + sum(pt * pt, over=[P,V])
}`,
  state: `pipeline state_and_require {
  dims P, T
  input logp: f32[P,T] @policy
  input reward: f32[P]
  input pid: id[P]
  state vhat: table f32 = 0.5
  state seen: f32 = 0.0
  advantage A = reward - vhat[pid]
  update vhat[pid] = vhat[pid] + 0.1 * (reward - vhat[pid])
  update seen = seen + f32(size(P))
  loss L = -mean(A * sum(logp, over=T), over=P)
  metric s = seen + 1.0
}`,
  passes: `pipeline passes {
  dims P, G, T
  input x: f32[P,G,T] @policy
  input m: bool[P,G,T]
  let mu = mean(x, over=T, where=m)
  let sd = sqrt(mean((x - mu) ** 2, over=T, where=m) + 1e-3)
  output z = (x - mu) / sd
  output zg = sum(z, over=G)
  let c = cumsum(x, along=T)
  output share = c / (sum(c, over=T) + 10.0)
  output both = cumsum(x, along=T) + cumsum(x, along=T, reverse=true)
  output soft = exp(x - logsumexp(x, over=T))
  output centred = x - mean(sum(x, over=T), over=[P,G])
  loss L = sum(z * x + share + both * 0.1 + soft * x, over=[P,G,T]) + sum(zg * zg, over=[P,T]) + sum(centred * centred, over=[P,G,T])
}`,
};
