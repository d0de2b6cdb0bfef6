/* Rep portal: search and filters over window.SALESPLAY_INDEX, built at build time (no network). */
(function () {
  "use strict";

  var data = window.SALESPLAY_INDEX;
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  if (!data || !input || !list) {
    return;
  }
  var form = document.getElementById("search-form");
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));

  // [index field, weight, how a match is explained]; a name match needs no explanation.
  var FIELDS = [
    ["name", 8, ""],
    ["competitors", 6, "competitor"],
    ["triggers", 4, "trigger"],
    ["industries", 3, "industry"],
    ["personas", 3, "persona"],
    ["destinations", 3, "destination"],
    ["summary", 1, ""]
  ];
  var FILTER_FIELDS = {
    destination: "destinations",
    industry: "industries",
    persona: "personas",
    competitor: "competitors"
  };

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function asList(value) {
    return Array.isArray(value) ? value : [value];
  }

  var total = data.plays.length;
  var entries = data.plays
    .map(function (play, order) {
      var folded = {};
      FIELDS.forEach(function (field) {
        folded[field[0]] = asList(play[field[0]]).map(fold);
      });
      return {
        play: play,
        card: document.getElementById("play-" + play.id),
        folded: folded,
        order: order
      };
    })
    .filter(function (entry) {
      return entry.card;
    });

  function tokens(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }

  // Every word must match somewhere; a match at the start of a word counts double.
  function score(entry, words) {
    var sum = 0;
    var why = [];
    for (var w = 0; w < words.length; w++) {
      var best = 0;
      var reason = null;
      for (var f = 0; f < FIELDS.length; f++) {
        var values = entry.folded[FIELDS[f][0]];
        for (var v = 0; v < values.length; v++) {
          var at = values[v].indexOf(words[w]);
          if (at < 0) {
            continue;
          }
          var atWord = at === 0 || /[^a-z0-9]/.test(values[v].charAt(at - 1));
          var points = FIELDS[f][1] * (atWord ? 2 : 1);
          if (points > best) {
            best = points;
            reason = FIELDS[f][2] ? [FIELDS[f][2], asList(entry.play[FIELDS[f][0]])[v]] : null;
          }
        }
      }
      if (!best) {
        return null;
      }
      sum += best;
      if (reason && why.indexOf(reason.join(": ")) < 0) {
        why.push(reason.join(": "));
      }
    }
    return { points: sum, why: why };
  }

  function passesFilters(entry) {
    return selects.every(function (select) {
      var field = FILTER_FIELDS[select.getAttribute("data-filter")];
      return !select.value || (entry.play[field] || []).indexOf(select.value) >= 0;
    });
  }

  function visible() {
    return entries.filter(function (entry) {
      return !entry.card.hidden;
    });
  }

  function update() {
    var words = tokens(input.value);
    var filtering = selects.some(function (select) {
      return select.value;
    });
    var shown = [];
    entries.forEach(function (entry) {
      var result = passesFilters(entry) ? score(entry, words) : null;
      entry.card.hidden = !result;
      var match = entry.card.querySelector(".match");
      if (match) {
        match.hidden = !(result && result.why.length);
        match.textContent = result && result.why.length ? "Matches " + result.why.join("; ") : "";
      }
      if (result) {
        shown.push({ entry: entry, points: result.points });
      }
    });
    shown.sort(function (a, b) {
      return b.points - a.points || a.entry.order - b.entry.order;
    });
    shown.forEach(function (item) {
      list.appendChild(item.entry.card);
    });
    if (count) {
      var noun = total === 1 ? " play" : " plays";
      count.textContent =
        words.length || filtering
          ? shown.length + " of " + total + noun + " match"
          : total + noun;
    }
    if (empty) {
      empty.hidden = shown.length > 0;
    }
    document.body.classList.toggle("searching", words.length > 0 || filtering);
  }

  function clearAll() {
    input.value = "";
    selects.forEach(function (select) {
      select.value = "";
    });
    update();
    input.focus();
  }

  input.addEventListener("input", update);
  selects.forEach(function (select) {
    select.addEventListener("change", update);
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-clear]"), function (button) {
    button.addEventListener("click", clearAll);
  });

  // Enter opens the best match: a competitor's name, then Enter, reaches its card.
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = visible()[0];
      var link = first && first.card.querySelector(".card-title a");
      if (link) {
        window.location.href = link.href;
      }
    });
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      update();
    }
  });

  // "/" jumps to the search box from anywhere except while typing in a field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) {
      return;
    }
    event.preventDefault();
    input.focus();
    input.select();
  });

  // Back from a card: the browser restores the fields, the list must follow.
  window.addEventListener("pageshow", update);
  update();
})();
