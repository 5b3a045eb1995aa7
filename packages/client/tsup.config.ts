import { defineConfig } from "tsup";
import { libraryConfig } from "../../tools/build/library-config.js";

export default defineConfig(libraryConfig());
