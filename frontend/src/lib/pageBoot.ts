/** The one start of a studio page: language, config from #studio-config, the fetch wrapper, banners and toasts,
 * and a re-render when the language changes. Each page's entry only names its root and how to mount. */
import { browserApi, type Api } from "./api";
import { Banners, languageSwitcher, readConfig, Toasts, translateDom } from "./chrome";
import { initLang, onLangChange } from "./i18n";

export interface PageChrome {
  toasts: Toasts;
  banners: Banners;
}

/** `mount` builds the page into `el` and returns what re-renders it in the new language. */
export type PageMount<C> = (el: HTMLElement, config: C, api: Api, chrome: PageChrome) => () => void;

export function bootStudioPage<C extends { urls: { login: string } }>(
  rootId: string,
  pageClass: string,
  mount: PageMount<C>,
): void {
  const root = document.getElementById(rootId);
  if (!root) return;
  initLang();
  const config = readConfig<C>("studio-config");
  const chrome = { toasts: new Toasts(), banners: new Banners() };
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  const mountPoint = document.createElement("div");
  mountPoint.className = pageClass;
  root.replaceChildren(chrome.banners.el, mountPoint, chrome.toasts.el);
  const rerender = mount(mountPoint, config, browserApi(config.urls.login), chrome);
  onLangChange(() => {
    translateDom();
    rerender();
  });
  translateDom();
}
