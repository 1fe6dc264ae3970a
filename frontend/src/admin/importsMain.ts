/** Entry of /studio/imports/. */
import "./imports.css";
import { bootAdminPage } from "./boot";
import { ImportsPage } from "./imports";

bootAdminPage((root, config, api, chrome) => new ImportsPage(root, config, api, chrome));
