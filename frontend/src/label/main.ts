/** Entry of /label/<campaign_id>/: mounts the labelling page into #label-root. */
import "./label.css";
import { browserApi } from "../lib/api";
import { readConfig } from "../lib/chrome";
import { initLang } from "../lib/i18n";
import { browserStorage } from "../lib/storage";
import type { PageConfig } from "../lib/types";
import { LabelPage } from "./page";

declare global {
  interface Window {
    __studio?: { page: LabelPage };
  }
}

const root = document.getElementById("label-root");
if (root) {
  initLang();
  const config = readConfig<PageConfig>("studio-config");
  const page = new LabelPage(root, config, browserApi(config.urls.login), browserStorage());
  // Read by the browser tests and handy in the console: swaps (submit → next playable), player state.
  window.__studio = { page };
  void page.start();
}
