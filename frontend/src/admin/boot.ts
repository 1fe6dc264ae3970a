/** Shared start of the admin pages: language, config, api, chrome; the page class does the rest. */
import { browserApi, type Api } from "../lib/api";
import { Banners, languageSwitcher, readConfig, Toasts, translateDom } from "../lib/chrome";
import { initLang, onLangChange } from "../lib/i18n";
import type { AdminConfig } from "./types";

type PageFactory = (root: HTMLElement, config: AdminConfig, api: Api, chrome: { toasts: Toasts; banners: Banners }) => { refresh: () => void };

export function bootAdminPage(make: PageFactory): void {
  const root = document.getElementById("admin-root");
  if (!root) return;
  initLang();
  const config = readConfig<AdminConfig>("studio-config");
  const chrome = { toasts: new Toasts(), banners: new Banners() };
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  const mountPoint = document.createElement("div");
  mountPoint.className = "admin-page";
  root.replaceChildren(chrome.banners.el, mountPoint, chrome.toasts.el);
  const page = make(mountPoint, config, browserApi(config.urls.login), chrome);
  onLangChange(() => {
    translateDom();
    page.refresh();
  });
  translateDom();
}
