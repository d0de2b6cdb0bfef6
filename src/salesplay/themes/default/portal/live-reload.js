/* salesplay serve: reload after each successful rebuild of this page's locale; show build
   errors over the page. */
(function () {
  "use strict";

  var STATUS = "/__salesplay__/status";
  var seen = null;
  var box = null;

  // A page of the source locale reloads when its pages are rebuilt (a save's first pass,
  // "build"); a translated page, under its locale's folder, when every locale's are ("pages").
  function counter(status) {
    var first = window.location.pathname.split("/")[1] || "";
    var source = first === "" || status.roots.indexOf(first) >= 0;
    return source ? status.build : status.pages;
  }

  function show(lines) {
    if (!box) {
      box = document.createElement("section");
      box.id = "salesplay-errors";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-label", "Build errors");
      box.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2B0B0B;color:#FFE9E9;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "border-top:4px solid #FF4D4D;box-shadow:0 -4px 24px rgba(0,0,0,.35)";
      var title = document.createElement("strong");
      title.textContent = "Build failed: fix the file and save; this page reloads by itself.";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:.5rem 0 0;white-space:pre-wrap;font:inherit";
      box.appendChild(title);
      box.appendChild(pre);
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = lines.join("\n");
  }

  function hide() {
    if (box) {
      box.parentNode.removeChild(box);
      box = null;
    }
  }

  function poll() {
    fetch(STATUS, { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        var now = counter(status);
        document.documentElement.setAttribute("data-salesplay-build", String(now));
        if (seen === null) {
          seen = now;
        } else if (now !== seen) {
          window.location.reload();
          return;
        }
        if (status.errors.length) {
          show(status.errors);
        } else {
          hide();
        }
        window.setTimeout(poll, 500);
      })
      .catch(function () {
        // The server is restarting or gone: keep trying, slowly.
        window.setTimeout(poll, 2000);
      });
  }

  poll();
})();
