// Loaded before every spec (.mocharc.json). The AWS SDK warns once per process that its releases after January 2027
// need Node 22; the project supports Node 20 (README), so the tests' output is kept to what they assert.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
