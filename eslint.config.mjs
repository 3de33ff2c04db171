// ESLint (flat config) for the browser code the app serves: eventapp/static.
// Run by run_tests.py's lint step (`npx eslint`), beside ruff.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["eventapp/static/vendor/**", "node_modules/**", ".venv/**", "**/*.min.js"] },
  js.configs.recommended,
  {
    // ES modules (the staff scanning page and every new script).
    files: ["eventapp/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
    },
  },
  {
    // A service worker's top-level functions are its own scope, not the page's globals.
    files: ["eventapp/static/checkin/sw.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker } },
    rules: { "no-implicit-globals": "off" },
  },
  {
    files: ["eventapp/static/checkin/qr-worker.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.worker, jsQR: "readonly" } },
  },
];
