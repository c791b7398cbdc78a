#include "emulator/browser_scripts.h"

namespace emu {

// Written from the docs' descriptions of the functions (sdk/bx24-js-sdk/...), not from the real
// library: init waits for the parent's answer and the DOM, as the real one waits for its
// parameters; fitWindow sizes the frame to the height of the page's root element, which can
// shrink it too (the real one uses scrollHeight, which never goes below the frame's own height).
const char* Bx24Script() {
  return R"JS(/* b24-emulator: a stand-in for the BX24 library of Bitrix24 (//api.bitrix24.com/api/v1/).
   Only what the emulator's frame page answers: init, placement.info, fitWindow, resizeWindow,
   openPath, getLang, isAdmin, getDomain. */
(function () {
  'use strict';
  if (window.BX24) return;
  var host = window.parent;
  var framed = host !== window;
  var callbacks = {};
  var lastId = 0;
  var context = null;  // the parent's answer to 'init'
  var waiting = [];    // BX24.init callbacks not run yet

  function send(command, params, callback) {
    if (!framed) return;
    lastId += 1;
    if (typeof callback === 'function') callbacks[lastId] = callback;
    host.postMessage({bx24: 1, id: lastId, command: command, params: params}, '*');
  }

  window.addEventListener('message', function (event) {
    if (event.source !== host) return;
    var message = event.data;
    if (!message || message.bx24 !== 1 || !('result' in message)) return;
    if (!Object.prototype.hasOwnProperty.call(callbacks, message.id)) return;
    var callback = callbacks[message.id];
    delete callbacks[message.id];
    callback(message.result);
  });

  function runWaiting() {
    if (context === null || document.readyState === 'loading') return;
    var ready = waiting;
    waiting = [];
    ready.forEach(function (callback) { setTimeout(callback, 0); });
  }

  if (framed) {
    document.addEventListener('DOMContentLoaded', runWaiting);
    send('init', {}, function (answer) {
      context = answer;
      runWaiting();
    });
  } else if (window.console) {
    window.console.error('BX24 (b24-emulator): the page is not in a portal frame; ' +
                         'BX24.init callbacks will not run');
  }

  // The height of the page: its root element's, or what overflows the frame when the root is
  // held to the frame's height (html { height: 100% }).
  function contentHeight() {
    var root = document.documentElement;
    var height = root.getBoundingClientRect().height;
    if (root.scrollHeight > root.clientHeight) height = Math.max(height, root.scrollHeight);
    return Math.ceil(height);
  }

  // A second pass when the new size changed the layout (a scroll bar gone, text reflowed).
  function fit(passes, callback) {
    var height = contentHeight();
    send('resizeWindow', {height: height}, function (result) {
      if (passes > 1 && contentHeight() !== height) return fit(passes - 1, callback);
      if (typeof callback === 'function') callback(result);
    });
  }

  window.BX24 = {
    init: function (callback) {
      if (typeof callback !== 'function') return;
      waiting.push(callback);
      runWaiting();
    },
    placement: {
      info: function () {
        if (context === null) return {placement: '', options: {}};
        return {placement: context.placement,
                options: JSON.parse(JSON.stringify(context.options))};
      }
    },
    resizeWindow: function (width, height, callback) {
      send('resizeWindow', {width: width, height: height}, callback);
    },
    fitWindow: function (callback) {
      fit(2, callback);
    },
    openPath: function (path, callback) {
      send('openPath', {path: path}, callback);
    },
    getLang: function () { return context === null ? '' : context.lang; },
    isAdmin: function () { return context !== null && context.admin === true; },
    getDomain: function () { return context === null ? '' : context.domain; }
  };
})();
)JS";
}

const char* FrameHostScript() {
  return R"JS((function () {
  'use strict';
  var frame = document.getElementById('app-frame');
  var form = document.getElementById('app-form');
  var data = frame.dataset;
  var context = {
    domain: data.domain,
    lang: data.lang,
    member_id: data.memberId,
    user_id: Number(data.userId),
    admin: data.admin === 'true',
    placement: data.placement,
    options: JSON.parse(data.options)
  };

  // A CSS length from what resizeWindow was given: a positive number of pixels, or 'N%'.
  function length(value) {
    if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value)) return value;
    var pixels = parseInt(value, 10);
    return pixels > 0 ? pixels + 'px' : null;
  }

  // Only a path of this portal, never another site; the viewer and the portal go along.
  function openPath(path) {
    var url;
    if (typeof path !== 'string' || path.charAt(0) !== '/') return false;
    try {
      url = new URL(path, window.location.href);
    } catch (e) {
      return false;
    }
    if (url.origin !== window.location.origin) return false;
    if (!url.searchParams.has('user_id')) url.searchParams.set('user_id', String(context.user_id));
    if (!url.searchParams.has('portal')) url.searchParams.set('portal', context.member_id);
    window.location.assign(url.href);
    return true;
  }

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || message.bx24 !== 1 || typeof message.command !== 'string') return;
    var params = message.params || {};
    var result;
    if (message.command === 'init') {
      result = context;
    } else if (message.command === 'resizeWindow') {
      var width = length(params.width);
      var height = length(params.height);
      if (width) frame.style.width = width;
      if (height) frame.style.height = height;
      result = {width: frame.offsetWidth, height: frame.offsetHeight};
    } else if (message.command === 'openPath') {
      if (openPath(params.path)) return;
      result = {result: 'error', errorCode: 'PATH_NOT_AVAILABLE'};
    } else {
      result = {error: 'UNKNOWN_COMMAND'};
    }
    event.source.postMessage({bx24: 1, id: message.id, result: result},
                             event.origin === 'null' ? '*' : event.origin);
  });

  form.submit();
})();
)JS";
}

}  // namespace emu
