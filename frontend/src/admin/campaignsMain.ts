/** Entry of /studio/campaigns/. */
import "./campaigns.css";
import { bootAdminPage } from "./boot";
import { CampaignsPage } from "./campaigns";

bootAdminPage((root, config, api, chrome) => new CampaignsPage(root, config, api, chrome));
