/* salesplay serve: reload after each successful rebuild of this page's locale; show build
   errors over the page, and what a save waits for (another build into the same folder). */
(function () {
  "use strict";

  var STATUS = "/__salesplay__/status";
  // the counters of the build this page was served from (the server writes them on this
  // script's tag): a build that ends before the first poll still reloads the page
  var served = document.currentScript ? document.currentScript.dataset : {};
  var seen = null;
  var box = null;
  var note = null;

  // A page of the source locale reloads when its pages are rebuilt (a save's first pass,
  // "build"); a translated page, under its locale's folder, when every locale's are ("pages").
  function counter(status) {
    var first = window.location.pathname.split("/")[1] || "";
    var source = first === "" || status.roots.indexOf(first) >= 0;
    return source ? status.build : status.pages;
  }

  // A panel fixed over the page (the errors at its foot, what a save waits for at its top).
  function panel(id, role, label, css) {
    var section = document.createElement("section");
    section.id = id;
    section.setAttribute("role", role);
    section.setAttribute("aria-label", label);
    section.style.cssText = "position:fixed;left:0;right:0;z-index:2147483647;margin:0;" + css;
    document.body.appendChild(section);
    return section;
  }

  function removed(section) {
    if (section) {
      section.parentNode.removeChild(section);
    }
    return null;
  }

  function show(lines) {
    if (!box) {
      box = panel(
        "salesplay-errors",
        "alert",
        "Build errors",
        "bottom:0;max-height:60vh;overflow:auto;padding:1rem 1.25rem;" +
          "background:#2B0B0B;color:#FFE9E9;" +
          "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
          "border-top:4px solid #FF4D4D;box-shadow:0 -4px 24px rgba(0,0,0,.35)"
      );
      var title = document.createElement("strong");
      title.textContent = "Build failed: fix the file and save; this page reloads by itself.";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:.5rem 0 0;white-space:pre-wrap;font:inherit";
      box.appendChild(title);
      box.appendChild(pre);
    }
    box.querySelector("pre").textContent = lines.join("\n");
  }

  // "waiting for another salesplay build into …/build/ (process 123) to finish"
  function showWaiting(message) {
    if (!note) {
      note = panel(
        "salesplay-waiting",
        "status",
        "Build waiting",
        "top:0;padding:.6rem 1.25rem;background:#0B1F44;color:#FFFFFF;" +
          "font:14px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;" +
          "border-bottom:4px solid #0B5FFF;box-shadow:0 4px 24px rgba(0,0,0,.25)"
      );
    }
    note.textContent = "Your save is " + message + "; this page reloads once it is built.";
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
          seen = served.build !== undefined ? counter({
            build: Number(served.build), pages: Number(served.pages), roots: status.roots
          }) : now;
          if (now !== seen) {
            window.location.reload();
            return;
          }
        } else if (now !== seen) {
          window.location.reload();
          return;
        }
        if (status.waiting) {
          showWaiting(status.waiting);
        } else {
          note = removed(note);
        }
        if (status.errors.length) {
          show(status.errors);
        } else {
          box = removed(box);
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
