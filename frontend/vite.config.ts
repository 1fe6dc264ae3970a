// Builds one ES module + one stylesheet per page into dist/studio/ with STABLE names
// (studio/label.js, studio/label.css, ...): Django templates load them with {% static %},
// so no manifest lookup is needed. Shared code lands in studio/chunks/.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/",
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    cssCodeSplit: true,
    modulePreload: false,
    rollupOptions: {
      input: {
        label: resolve(__dirname, "src/label/main.ts"),
        review: resolve(__dirname, "src/review/main.ts"),
        runs: resolve(__dirname, "src/runs/main.ts"),
        campaigns: resolve(__dirname, "src/admin/campaignsMain.ts"),
        imports: resolve(__dirname, "src/admin/importsMain.ts"),
        data: resolve(__dirname, "src/data/main.ts"),
        exports: resolve(__dirname, "src/exports/main.ts"),
        people: resolve(__dirname, "src/people/main.ts"),
      },
      output: {
        entryFileNames: "studio/[name].js",
        chunkFileNames: "studio/chunks/[name].js",
        assetFileNames: "studio/[name][extname]",
      },
    },
  },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
  },
});
