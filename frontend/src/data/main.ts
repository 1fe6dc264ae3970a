/**
 * Entry of the data pages: /studio/data/ (browser), /studio/pairs/<id>/ (pair page) and
 * /studio/mine/ (my history). One root, #data-root, whose data-page picks the page; the
 * configuration comes from #studio-config.
 */
import "./data.css";
import { browserApi } from "../lib/api";
import { Banners, languageSwitcher, readConfig, Toasts, translateDom } from "../lib/chrome";
import { h } from "../lib/dom";
import { dimensionText, initLang, onLangChange, t } from "../lib/i18n";
import { mountDataBrowser } from "./browser";
import { mountMyHistory } from "./mine";
import { mountPairPage } from "./pairPage";
import type { DataConfig } from "./types";

function boot(root: HTMLElement): void {
  initLang();
  const config = readConfig<DataConfig>("studio-config");
  const api = browserApi(config.urls.login);
  const chrome = { toasts: new Toasts(), banners: new Banners() };
  const nav = h("nav", { class: "data-nav" }, h("a", { href: config.urls.mine, "data-i18n": "mine.title" }, t("mine.title")),
    config.user.is_reviewer ? h("a", { href: config.urls.data, "data-i18n": "data.title" }, t("data.title")) : null);
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(nav, languageSwitcher());
  const mountPoint = h("div", { class: "data-page", id: "data-page" });
  root.replaceChildren(chrome.banners.el, mountPoint, chrome.toasts.el);
  const names = {
    dim: (key: string) => {
      const d = config.dimensions.find((x) => x.key === key);
      return d ? dimensionText(d).name : key;
    },
  };
  const page = config.page === "pair" && config.pair_id
    ? mountPairPage(mountPoint, config.pair_id, api, chrome, names)
    : config.page === "mine"
      ? mountMyHistory(mountPoint, api, chrome, names)
      : mountDataBrowser(mountPoint, config, api, chrome.banners, names);
  onLangChange(() => {
    translateDom();
    page.render();
  });
  translateDom();
}

const root = document.getElementById("data-root");
if (root) boot(root);
