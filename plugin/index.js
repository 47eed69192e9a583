// The `liveness` provider plugin, as Pulumi runs it from source (PulumiPlugin.yaml): the compiled entry in ../bin.
"use strict";
require("../bin/plugin/main.js");
