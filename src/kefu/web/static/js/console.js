// Console entry: keyboard shortcuts and live updates (the page works without this module).
import { installKeyboard } from "./keyboard.js";
import { connectLive } from "./live.js";

const root = document.getElementById("console");
if (root) {
  installKeyboard(root);
  connectLive(root);
}
