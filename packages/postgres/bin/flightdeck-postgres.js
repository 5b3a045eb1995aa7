#!/usr/bin/env node
// A launcher that exists before the build, so installing the workspace creates the bin without warnings.
import "../dist/cli.js";
