/** Shared start of the admin pages (lib/pageBoot); the page class does the rest. */
import type { Api } from "../lib/api";
import { bootStudioPage, type PageChrome } from "../lib/pageBoot";
import type { AdminConfig } from "./types";

type PageFactory = (root: HTMLElement, config: AdminConfig, api: Api, chrome: PageChrome) => { refresh: () => void };

export function bootAdminPage(make: PageFactory): void {
  bootStudioPage<AdminConfig>("admin-root", "admin-page", (el, config, api, chrome) => {
    const page = make(el, config, api, chrome);
    return () => page.refresh();
  });
}
