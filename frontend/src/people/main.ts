/** Entry of /studio/people/: the page configuration comes from #studio-config. */
import "./people.css";
import { browserApi } from "../lib/api";
import { Banners, languageSwitcher, readConfig, Toasts, translateDom } from "../lib/chrome";
import { initLang, onLangChange } from "../lib/i18n";
import { mountPeople } from "./page";
import type { PeopleConfig } from "./types";

function boot(root: HTMLElement): void {
  initLang();
  const config = readConfig<PeopleConfig>("studio-config");
  const toasts = new Toasts();
  const banners = new Banners();
  document.querySelector("[data-slot=header-extras]")?.replaceChildren(languageSwitcher());
  const mountPoint = document.createElement("div");
  mountPoint.className = "runs-page";
  root.replaceChildren(banners.el, mountPoint, toasts.el);
  const page = mountPeople(mountPoint, config, browserApi(config.urls.login), { toasts, banners });
  onLangChange(() => {
    translateDom();
    page.render();
  });
  translateDom();
}

const root = document.getElementById("people-root");
if (root) boot(root);
