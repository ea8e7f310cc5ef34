// webpack 5 needs nothing for the package: it sees `new URL("…wasm", import.meta.url)`
// in the glue and emits the .wasm as an asset beside the bundle.
export default {
  mode: "production",
  entry: "./main.js",
  output: { path: new URL("./dist", import.meta.url).pathname, clean: true },
};
