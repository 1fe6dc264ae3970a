/// <reference types="vite/client" />
/**
 * Keeps the front end in small pieces: no source file over 400 lines, no function over 60 (issue
 * #21: pages are pure render parts plus a boot() that only wires). Parsed with the TypeScript
 * compiler, so arrow functions, methods and nested closures each count on their own.
 */
import ts from "typescript";
import { describe, expect, it } from "vitest";

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 60;

const sources = import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return "<anonymous>";
}

/** "path:line name (N lines)" for every function, method or arrow whose body spans more than `max` lines. */
export function longFunctions(path: string, text: string, max = MAX_FUNCTION_LINES): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push(`${path}:${first + 1} ${nameOf(node)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

export function lineCount(text: string): number {
  return text.replace(/\n$/, "").split("\n").length;
}

const body = (n: number) => Array.from({ length: n }, (_, i) => `  step(${i});`).join("\n");

describe("front-end size limits", () => {
  it("reads every source file", () => {
    const paths = Object.keys(sources);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths).toContain("../src/review/main.ts");
    expect(paths).toContain("../src/lib/poll.ts");
  });

  it("has no file over 400 lines", () => {
    const long = Object.entries(sources).filter(([, text]) => lineCount(text) > MAX_FILE_LINES).map(([path, text]) => `${path} (${lineCount(text)} lines)`);
    expect(long).toEqual([]);
  });

  it("has no function over 60 lines", () => {
    expect(Object.entries(sources).flatMap(([path, text]) => longFunctions(path, text))).toEqual([]);
  });

  it("counts declarations, arrows, methods and nested closures, each on its own", () => {
    // 58 body lines + the two braces = 60 lines: allowed; one more is not.
    expect(longFunctions("ok.ts", `function ok() {\n${body(58)}\n}\n`)).toEqual([]);
    expect(longFunctions("f.ts", `export function boot() {\n${body(59)}\n}\n`)).toEqual(["f.ts:1 boot (61 lines)"]);
    expect(longFunctions("a.ts", `const render = () => {\n${body(70)}\n};\n`)).toEqual(["a.ts:1 render (72 lines)"]);
    expect(longFunctions("m.ts", `class Page {\n  load(): void {\n${body(61)}\n  }\n}\n`)).toEqual(["m.ts:2 load (63 lines)"]);
    const nested = `function outer() {\n  const inner = () => {\n${body(61)}\n  };\n  return inner;\n}\n`;
    expect(longFunctions("n.ts", nested)).toEqual(["n.ts:1 outer (66 lines)", "n.ts:2 inner (63 lines)"]);
    expect(lineCount("a\nb\n")).toBe(2);
  });
});
