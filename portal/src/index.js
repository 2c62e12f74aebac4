import { page } from "./common.js";

page();
