// Generates src/generated from ../openapi.json; run through `./dev generate` (never by hand).
export default {
  input: "../openapi.json",
  output: { path: "src/generated", module: { extension: ".js" } },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
};
