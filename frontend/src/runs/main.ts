/**
 * Entry of /runs/ and /runs/<id>/ (reviewers read, admins act): one root, #runs-root, whose
 * data-page picks the list or the run page; the configuration comes from #studio-config.
 */
import "./runs.css";
import { browserApi } from "../lib/api";
import { Banners, languageSwitcher, readConfig, Toasts, translateDom } from "../lib/chrome";
import { dimensionText, initLang, onLangChange } from "../lib/i18n";
import { mountRunPage } from "./detail";
import { mountRunsList } from "./list";
import type { Names } from "./sections";
import type { RunsConfig } from "./types";

function boot(root: HTMLElement): void {
  initLang();
  const config = readConfig<RunsConfig>("studio-config");
  const api = browserApi(config.urls.login);
  const toasts = new Toasts();
  const banners = new Banners();
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  const mountPoint = document.createElement("div");
  mountPoint.className = "runs-page";
  root.replaceChildren(banners.el, mountPoint, toasts.el);
  const dims = config.dimensions ?? [];
  const names: Names = {
    known: dims.map((d) => d.key),
    dim: (key) => {
      const d = dims.find((x) => x.key === key);
      return d ? dimensionText(d).name : key;
    },
  };
  const page = (config.page ?? root.dataset.page) === "run"
    ? mountRunPage(mountPoint, config, api, { toasts, banners }, names)
    : mountRunsList(mountPoint, config, api, { toasts, banners }, names);
  onLangChange(() => {
    translateDom();
    page.render();
  });
  translateDom();
}

const root = document.getElementById("runs-root");
if (root) boot(root);
