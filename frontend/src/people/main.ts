/** Entry of /studio/people/: the page configuration comes from #studio-config. */
import "./people.css";
import { bootStudioPage } from "../lib/pageBoot";
import { mountPeople } from "./page";
import type { PeopleConfig } from "./types";

bootStudioPage<PeopleConfig>("people-root", "runs-page", (el, config, api, chrome) => {
  const page = mountPeople(el, config, api, chrome);
  return () => page.render();
});
