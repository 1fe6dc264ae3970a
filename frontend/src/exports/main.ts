/** Entry of /studio/exports/: the page configuration comes from #studio-config. */
import "./exports.css";
import { bootStudioPage } from "../lib/pageBoot";
import { mountExports } from "./page";
import type { ExportsConfig } from "./types";

bootStudioPage<ExportsConfig>("exports-root", "runs-page", (el, config, api, chrome) => {
  const page = mountExports(el, config, api, chrome);
  return () => page.render();
});
