/* Live updates: one WebSocket per page, reconnecting with backoff; every JSON message becomes an
 * `erpsys:changed` event on <body> (the board's lists re-fetch their HTMX partial on it).
 * <body data-live="tasks"> opens /ws/<tenant>/tasks/, data-live="entity/<erpsys_id>" opens
 * /ws/<tenant>/entity/<erpsys_id>/. A failing connection never breaks the page; a refused one
 * (close code 44xx) is not retried. */
(function () {
  "use strict";
  var body = document.body;
  var channel = body && body.dataset.live;
  if (!channel || !window.WebSocket) return;
  var tenant = window.location.pathname.split("/")[1];
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + "/ws/" + tenant + "/" + channel + "/";
  var delay = 1000;
  var MAX_DELAY = 30000;

  function connect() {
    var socket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      retry();
      return;
    }
    socket.onopen = function () {
      delay = 1000;
      body.dataset.liveState = "open";
    };
    socket.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      body.dispatchEvent(new CustomEvent("erpsys:changed", { detail: message }));
    };
    socket.onclose = function (event) {
      if (event.code >= 4400 && event.code < 4500) {
        /* refused (4401 not signed in, 4403 not an operator here, 4404 no such entity):
         * asking again would get the same answer */
        body.dataset.liveState = "refused";
        return;
      }
      body.dataset.liveState = "closed";
      retry();
    };
    socket.onerror = function () {
      /* onclose follows and retries */
    };
  }

  function retry() {
    var wait = delay / 2 + Math.random() * delay / 2;
    delay = Math.min(delay * 2, MAX_DELAY);
    window.setTimeout(connect, wait);
  }

  connect();
})();
