// The JavaScript of the emulator's browser pages: the stand-in BX24 library an app's page loads
// inside the frame, and the script of the page around the frame that answers it. The two talk
// with window.postMessage: the frame sends {bx24: 1, id, command, params} to its parent, the
// parent answers {bx24: 1, id, result}; docs/emulator.md ("Pages in a browser") lists the
// commands. Thread-safety: constants.
#pragma once

namespace emu {

// GET /_emulator/bx24.js: window.BX24 with init, placement.info, fitWindow, resizeWindow,
// openPath, getLang, isAdmin and getDomain.
const char* Bx24Script();

// Inline in the frame page and the card pages: answers the frame's messages (only those whose
// event.source is the app frame's window) from the iframe's data-* attributes, resizes the
// frame, navigates for openPath, then submits the hidden form that loads the app's page.
const char* FrameHostScript();

}  // namespace emu
