// The interfaces of an emitted module (<Name>Inputs, <Name>Params, <Name>Outputs, <Name>Gradients, and <Name>State,
// <Name>Options with state), generated from the declarations, with their types and comments in TSDoc.
import { StructureKind, type InterfaceDeclarationStructure, type SourceFile } from "ts-morph";
import type { IRProgram } from "../ir/ir.ts";
import { propertyName } from "./literal.ts";
import type { SourceNotes } from "./source_notes.ts";
import type { PipelineSpec } from "../ir/module_spec.ts";
import { formatType, tupleType, WIDTH, wrap } from "./text.ts";

export interface InterfaceContext {
  program: IRProgram;
  spec: PipelineSpec;
  notes: SourceNotes;
  /** The pipeline's type name (typeName). */
  T: string;
  /** Whether the module has a gradient pass. */
  hasGradients: boolean;
  stateful: boolean;
}

/** Adds the module's exported interfaces to `sf`. */
export function addInterfaces(sf: SourceFile, { program, spec, notes, T, hasGradients, stateful }: InterfaceContext): void {
  const dimsText = spec.dims
    .map((d) =>
      d.labels
        ? `${d.name} = {${d.labels.join(", ")}}`
        : d.size !== undefined
          ? `${d.name} = ${d.size}`
          : d.aliasOf
            ? `${d.name} (= ${d.aliasOf})`
            : d.name,
    )
    .join(", ");
  // a member's TSDoc: one line when `  /** text */` fits, else wrapped under ` * `
  const propDoc = (text: string): string => {
    const w = wrap(text, WIDTH - 5);
    return !w.includes("\n") && w.length + 9 > WIDTH ? `\n${w}` : w;
  };
  addInterface(sf, {
    name: `${T}Inputs`,
    docs: [
      wrap(
        `The inputs of pipeline ${program.pipeline}${dimsText ? ` (dims ${dimsText})` : ""}. Each is an inputs-file entry (nested arrays, or \`{ dims?, shape?, data }\`), or typed-array data with its shape. Dims without a declared size are bound from the inputs: every input that names a dim must agree on its size.`,
        WIDTH - 3,
      ),
    ],
    properties: program.inputs.map((i) => {
      const decl = `\`input ${i.name}: ${formatType(i.type)}${i.mark ? ` @${i.mark}` : ""}${i.default !== undefined ? ` = ${i.default}` : ""}\``;
      const comment = notes.comment(i.span);
      const extra = i.default !== undefined ? "optional" : "";
      return {
        name: propertyName(i.name),
        type: `TensorInput<${JSON.stringify(i.type.dtype)}, ${tupleType(i.type.dims)}>`,
        hasQuestionToken: i.default !== undefined,
        docs: [propDoc(`${decl} (${notes.where(i.span)})${extra ? `, ${extra}` : ""}${comment ? `: ${comment}` : ""}`)],
      };
    }),
  });

  const fixed = spec.params.filter((p) => !p.runtime);
  const fixedText =
    fixed.length > 0
      ? ` Fixed when compiled (recompile with \`rlp compile --set NAME=VALUE\` to change): ${fixed.map((p) => `${p.name} = ${String(p.value)}`).join(", ")}.`
      : "";
  addInterface(sf, {
    name: `${T}Params`,
    docs: [
      wrap(
        `Run-time params of pipeline ${program.pipeline}: each optional, overriding its compiled-in default for one call.${fixedText}`,
        WIDTH - 3,
      ),
    ],
    properties: spec.params
      .filter((p) => p.runtime)
      .map((p) => ({
        name: propertyName(p.name),
        type: "number",
        hasQuestionToken: true,
        docs: [propDoc(`\`param ${p.name}\`${paramComment(notes, program, p.name)}\n@defaultValue ${String(p.value)}`)],
      })),
  });

  addInterface(sf, {
    name: `${T}Outputs`,
    docs: [
      wrap(
        `What evaluate returns: the losses, metrics, outputs and advantages of pipeline ${program.pipeline} (scalars as numbers; tensors with float64 data, dims in canonical order).`,
        WIDTH - 3,
      ),
    ],
    properties: spec.results.map((r) => {
      const res = program.results.find((x) => x.name === r.name && x.kind === r.kind)!;
      const comment = notes.comment(res.span);
      return {
        name: propertyName(r.name),
        type: r.dims.length === 0 ? "number" : `TensorOf<${JSON.stringify(r.dtype)}, ${tupleType(r.dims)}>`,
        docs: [
          propDoc(
            `\`${r.kind} ${r.name}: ${formatType({ dtype: r.dtype, dims: r.dims })}\` (${notes.where(res.span)})${comment ? `: ${comment}` : ""}`,
          ),
        ],
      };
    }),
  });
  addInterface(sf, {
    name: `${T}Gradients`,
    docs: [
      wrap(
        hasGradients
          ? "The gradients evaluateWithGrad adds: `dL/dx` for every loss L and differentiable input x (zeros where L does not depend on x)."
          : "No gradients: no loss of this pipeline reaches a differentiable input.",
        WIDTH - 3,
      ),
    ],
    properties: spec.gradients.map((g) => ({
      name: propertyName(g.name),
      type: `TensorOf<"f32", ${tupleType(g.dims)}>`,
      docs: [propDoc(`The gradient of loss ${g.loss} with respect to input ${g.input}: \`f32[${g.dims.join(",")}]\`.`)],
    })),
  });
  if (stateful) {
    addInterface(sf, {
      name: `${T}State`,
      docs: [
        wrap(
          `The state of pipeline ${program.pipeline} across steps: start from createState(), pass it to each step (options.state) and keep the one the step returns (result.state). saveState and loadState write and read it as JSON.`,
          WIDTH - 3,
        ),
      ],
      properties: spec.states.map((s) => {
        const found = notes.find(program.inputs[0]?.span?.file, program.pipeline, "state", s.name);
        const what = s.keyed ? `a value per id (ids without an entry read ${s.init})` : "one number";
        return {
          name: propertyName(s.name),
          type: s.keyed ? "Map<number, number>" : "number",
          docs: [
            propDoc(
              `\`state ${s.name}: ${s.keyed ? "table " : ""}f32 = ${s.init}\` (${found.where}): ${what}${found.comment ? `; ${found.comment}` : ""}.`,
            ),
          ],
        };
      }),
    });
    addInterface(sf, {
      name: `${T}Options`,
      extends: ["EvaluateOptions"],
      docs: ["Options of a step."],
      properties: [
        {
          name: "state",
          type: `${T}State`,
          hasQuestionToken: true,
          docs: ["The state before this step (default: createState())."],
        },
      ],
    });
  }
}

function paramComment(notes: SourceNotes, program: IRProgram, name: string): string {
  const node = program.nodes.find((n) => n.op.op === "param" && n.op.name === name);
  const comment = notes.comment(node?.span);
  return `${node?.span ? ` (${notes.where(node.span)})` : ""}${comment ? `: ${comment}` : ""}`;
}

function addInterface(sf: SourceFile, s: Omit<InterfaceDeclarationStructure, "kind">): void {
  sf.addInterface({ ...s, kind: StructureKind.Interface, isExported: true });
}
