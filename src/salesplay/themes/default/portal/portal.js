/* Rep portal: search and filters over window.SALESPLAY_INDEX, built at build time (no network).
   The query and the filters live in the page's URL (?q=…&competitor=…), so a filtered view can
   be shared and the browser's back and forward buttons step through searches. */
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
  var cardLinks = document.getElementById("competitor-cards");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  // The page's words in its language, from the page itself (portal/index.html renders them
  // with the edition's labels): this script has no text of its own to show.
  var L = readLabels();

  // [index field, weight, whether a match is explained]; a name or summary match needs no
  // reason (both are on the result already). Objections come first: they are what reps hear.
  var FIELDS = [
    ["name", 8, false],
    ["competitors", 6, true],
    ["objections", 5, true],
    ["triggers", 4, true],
    ["industries", 3, true],
    ["personas", 3, true],
    ["destinations", 3, true],
    ["discovery", 3, true],
    ["responses", 2, true],
    ["claims", 2, true],
    ["proof", 2, true],
    ["talk_tracks", 2, true],
    ["landmines", 2, true],
    ["summary", 1, false]
  ];
  // what reps know of the competitors a play names: [field, weight]
  var INTEL = [
    ["dismiss", 2],
    ["strengths", 1],
    ["weaknesses", 1]
  ];
  var FILTER_FIELDS = {
    destination: "destinations",
    industry: "industries",
    persona: "personas",
    competitor: "competitors"
  };
  var SNIPPET = 160; // characters of context shown around a match
  var MAX_REASONS = 2;

  // Folded text (no accents, lower case) and, per folded character, where it came from, so
  // that a match in the folded text highlights the right characters of the original.
  function foldMapped(text) {
    text = String(text);
    var whole = fold(text);
    if (whole.length === text.length) {
      return { folded: whole, from: null }; // one character for one: positions carry over
    }
    var folded = "";
    var from = [];
    for (var i = 0; i < text.length; i++) {
      var part = fold(text.charAt(i));
      for (var k = 0; k < part.length; k++) {
        from.push(i);
      }
      folded += part;
    }
    return { folded: folded, from: from };
  }

  function readLabels() {
    var block = document.getElementById("portal-labels");
    try {
      return (block && JSON.parse(block.textContent)) || {};
    } catch (e) {
      return {};
    }
  }

  // A label with its %(name)s placeholders filled in ('%%' is a percent sign).
  function fill(template, values) {
    return String(template || "").replace(/%(%|\((\w+)\)s)/g, function (all, what, name) {
      return name ? String(values[name]) : "%";
    });
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function asList(value) {
    if (value === undefined || value === null || value === "") {
      return [];
    }
    return Array.isArray(value) ? value : [value];
  }

  var competitors = {};
  (data.competitors || []).forEach(function (comp) {
    competitors[comp.name] = comp;
  });

  function texts(play) {
    var out = [];
    FIELDS.forEach(function (field) {
      asList(play[field[0]]).forEach(function (value) {
        var label = field[2] ? (L.fields || {})[field[0]] || "" : "";
        out.push({ label: label, shown: field[2], weight: field[1], text: String(value) });
      });
    });
    asList(play.competitors).forEach(function (name) {
      var comp = competitors[name];
      INTEL.forEach(function (field) {
        asList(comp && comp[field[0]]).forEach(function (value) {
          var label = fill((L.intel || {})[field[0]] || "%(name)s", { name: name });
          out.push({ label: label, shown: true, weight: field[1], text: String(value) });
        });
      });
    });
    out.forEach(function (t) {
      t.folded = fold(t.text);
    });
    return out;
  }

  var total = data.plays.length;
  var allPlays = count ? count.textContent : "";
  var entries = data.plays
    .map(function (play, order) {
      return {
        play: play,
        card: document.getElementById("play-" + play.id),
        texts: texts(play),
        order: order
      };
    })
    .filter(function (entry) {
      return entry.card;
    });

  function tokens(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }

  function isWordChar(ch) {
    return /[a-z0-9]/.test(ch);
  }

  function atWordStart(text, at) {
    return at === 0 || !isWordChar(text.charAt(at - 1));
  }

  // Where `word` occurs in `text` from `from` on, or -1; `whole`: only as a whole word.
  function find(text, word, whole, from) {
    var at = text.indexOf(word, from || 0);
    while (whole && at >= 0) {
      var end = at + word.length;
      if (atWordStart(text, at) && (end === text.length || !isWordChar(text.charAt(end)))) {
        break;
      }
      at = text.indexOf(word, at + 1);
    }
    return at;
  }

  // The query's words. A short word followed by another ("no budget") is meant whole; the
  // last word may be a word still being typed.
  function queryWords(query) {
    var words = tokens(query);
    return words.map(function (word, i) {
      return { text: word, whole: word.length <= 2 && i < words.length - 1 };
    });
  }

  // Every word must match somewhere; a match at the start of a word counts double, and the
  // whole query found as a phrase ("false alarms") counts for more than its words apart and
  // is the one reason given.
  function score(entry, words) {
    var sum = 0;
    var chosen = [];
    var phrase = words.length > 1 ? phraseOf(words) : null;
    var phraseText = null;
    for (var w = 0; w < words.length; w++) {
      var best = 0;
      var bestText = -1;
      for (var t = 0; t < entry.texts.length; t++) {
        var text = entry.texts[t];
        var at = find(text.folded, words[w].text, words[w].whole);
        if (at < 0) {
          continue;
        }
        var points = text.weight * (atWordStart(text.folded, at) ? 2 : 1);
        if (phrase && text.folded.indexOf(phrase) >= 0) {
          points *= 3;
          if (!phraseText || text.weight > phraseText.weight) {
            phraseText = text;
          }
        }
        if (points > best) {
          best = points;
          bestText = t;
        }
      }
      if (!best) {
        return null;
      }
      sum += best;
      if (chosen.indexOf(bestText) < 0) {
        chosen.push(bestText);
      }
    }
    var reasons = chosen
      .map(function (t) {
        return entry.texts[t];
      })
      .filter(function (text) {
        return text.shown;
      })
      .sort(function (a, b) {
        return b.weight - a.weight;
      })
      .slice(0, MAX_REASONS);
    if (phraseText) {
      reasons = phraseText.shown ? [phraseText] : [];
    }
    return { points: sum, reasons: reasons };
  }

  function phraseOf(words) {
    return words
      .map(function (word) {
        return word.text;
      })
      .join(" ");
  }

  // Where the query's words (or its phrase) occur in `text`, as [start, end) of the original.
  function spans(text, words) {
    var mapped = foldMapped(text);
    var found = [];
    var phrase = words.length > 1 ? phraseOf(words) : null;
    var needles =
      phrase && mapped.folded.indexOf(phrase) >= 0 ? [{ text: phrase, whole: false }] : words;
    needles.forEach(function (needle) {
      var from = 0;
      var at;
      while ((at = find(mapped.folded, needle.text, needle.whole, from)) >= 0) {
        var end = at + needle.text.length;
        var overlaps = found.some(function (s) {
          return at < s[3] && end > s[2];
        });
        if (!overlaps) {
          var start = mapped.from ? mapped.from[at] : at;
          var stop = mapped.from ? mapped.from[end - 1] + 1 : end;
          found.push([start, stop, at, end]);
        }
        from = end;
      }
    });
    return found.sort(function (a, b) {
      return a[0] - b[0];
    });
  }

  // The text around the first match, cut at spaces, with every match marked.
  function snippet(text, words) {
    var marks = spans(text, words);
    var start = 0;
    var end = text.length;
    if (text.length > SNIPPET && marks.length) {
      start = Math.max(0, marks[0][0] - Math.floor(SNIPPET / 3));
      end = Math.min(text.length, start + SNIPPET);
      if (start > 0) {
        var space = text.indexOf(" ", start);
        start = space >= 0 && space < marks[0][0] ? space + 1 : start;
      }
      if (end < text.length) {
        var back = text.lastIndexOf(" ", end);
        end = back > marks[0][1] ? back : end;
      }
    }
    var nodes = [];
    if (start > 0) {
      nodes.push(document.createTextNode("…"));
    }
    var at = start;
    marks.forEach(function (m) {
      if (m[0] < at || m[1] > end) {
        return;
      }
      nodes.push(document.createTextNode(text.slice(at, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      nodes.push(mark);
      at = m[1];
    });
    nodes.push(document.createTextNode(text.slice(at, end) + (end < text.length ? "…" : "")));
    return nodes;
  }

  function explain(match, result, words) {
    while (match.firstChild) {
      match.removeChild(match.firstChild);
    }
    var reasons = result ? result.reasons : [];
    match.hidden = !reasons.length;
    reasons.forEach(function (reason) {
      var line = document.createElement("span");
      line.className = "why";
      var label = document.createElement("span");
      label.className = "why-label";
      if (reason.label) {
        label.textContent = fill(L.reason || "%(label)s:", { label: reason.label }) + " ";
        line.appendChild(label);
      }
      snippet(reason.text, words).forEach(function (node) {
        line.appendChild(node);
      });
      match.appendChild(line);
    });
  }

  function passesFilters(entry) {
    return selects.every(function (select) {
      var field = FILTER_FIELDS[select.getAttribute("data-filter")];
      return !select.value || (entry.play[field] || []).indexOf(select.value) >= 0;
    });
  }

  // Links to the competitor cards the search is about: the competitor filter, or a query
  // that names a competitor (not one that merely shares a word with its name: "backup").
  function showCompetitorCards(words) {
    if (!cardLinks) {
      return;
    }
    var query = words.length ? phraseOf(words) : "";
    var picked = (data.competitors || []).filter(function (comp) {
      var filter = selects.some(function (select) {
        return select.getAttribute("data-filter") === "competitor" && select.value === comp.name;
      });
      var name = fold(comp.name);
      // the name being typed ("iron"), or the whole name within the query
      var named =
        (query.length >= 3 && name.indexOf(query) === 0) || find(query, name, true) >= 0;
      return comp.href && (filter || named);
    });
    while (cardLinks.firstChild) {
      cardLinks.removeChild(cardLinks.firstChild);
    }
    picked.forEach(function (comp) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = comp.href;
      link.textContent = fill(L.competitor_card || "%(name)s", { name: comp.name });
      item.appendChild(link);
      cardLinks.appendChild(item);
    });
    cardLinks.hidden = !picked.length;
  }

  // Best matches first. The list is moved only when its order changes, and off the page
  // while it moves: a thousand cards moved in place cost the browser half a second.
  function reorder(cards) {
    var children = list.children;
    var same = true;
    for (var i = 0; i < cards.length && same; i++) {
      same = children[i] === cards[i];
    }
    if (same) {
      return;
    }
    var parent = list.parentNode;
    var next = list.nextSibling;
    parent.removeChild(list);
    cards.forEach(function (card) {
      list.appendChild(card);
    });
    parent.insertBefore(list, next);
  }

  // Why each shown play matched: the first screenfuls now, the rest a batch at a time
  // after (a query matching a thousand plays must not hold up the next keystroke).
  var EXPLAIN_NOW = 40;
  var EXPLAIN_BATCH = 200;
  var explaining = 0;

  function explainAll(shown, words) {
    var run = ++explaining;
    var at = 0;
    function batch(size) {
      if (run !== explaining) {
        return; // a newer search took over
      }
      var end = Math.min(shown.length, at + size);
      for (; at < end; at++) {
        var match = shown[at].entry.card.querySelector(".match");
        if (match) {
          explain(match, shown[at].result, words);
        }
      }
      if (at < shown.length) {
        window.setTimeout(function () {
          batch(EXPLAIN_BATCH);
        }, 0);
      }
    }
    batch(EXPLAIN_NOW);
  }

  function update() {
    var words = queryWords(input.value);
    var filtering = selects.some(function (select) {
      return select.value;
    });
    var shown = [];
    entries.forEach(function (entry) {
      var result = passesFilters(entry) ? score(entry, words) : null;
      entry.card.hidden = !result;
      if (result) {
        shown.push({ entry: entry, points: result.points, result: result });
      }
    });
    shown.sort(function (a, b) {
      return b.points - a.points || a.entry.order - b.entry.order;
    });
    reorder(
      shown.map(function (item) {
        return item.entry.card;
      })
    );
    explainAll(shown, words);
    if (count) {
      // the count of all plays is the page's own text; the matches are counted in the
      // page's words, the plural chosen for the page's total
      count.textContent =
        words.length || filtering
          ? fill(L.matching || "%(shown)s / " + total, { shown: shown.length })
          : allPlays;
    }
    if (empty) {
      empty.hidden = shown.length > 0;
    }
    showCompetitorCards(words);
    document.body.classList.toggle("searching", words.length > 0 || filtering);
  }

  // --- the URL holds the state -----------------------------------------------------------

  function stateQuery() {
    var params = [];
    if (input.value.trim()) {
      params.push("q=" + encodeURIComponent(input.value.trim()));
    }
    selects.forEach(function (select) {
      if (select.value) {
        params.push(select.getAttribute("data-filter") + "=" + encodeURIComponent(select.value));
      }
    });
    return params.length ? "?" + params.join("&") : "";
  }

  function readUrl() {
    var params = {};
    window.location.search
      .replace(/^\?/, "")
      .split("&")
      .forEach(function (pair) {
        var at = pair.indexOf("=");
        if (at > 0) {
          var value = pair.slice(at + 1).replace(/\+/g, " ");
          try {
            params[pair.slice(0, at)] = decodeURIComponent(value);
          } catch (error) {
            params[pair.slice(0, at)] = value; // a hand-mangled link: take it as written
          }
        }
      });
    input.value = params.q || "";
    selects.forEach(function (select) {
      select.value = params[select.getAttribute("data-filter")] || "";
      if (select.selectedIndex < 0) {
        select.value = ""; // a value this catalog no longer has
      }
    });
  }

  // A burst of typing is one history entry; each filter change or clear is its own.
  var typing = false;

  function writeUrl(push) {
    var query = stateQuery();
    if (query === window.location.search) {
      return;
    }
    var url = window.location.pathname + query + window.location.hash;
    try {
      if (push) {
        window.history.pushState(null, "", url);
      } else {
        window.history.replaceState(null, "", url);
      }
    } catch (error) {
      // a browser that refuses history changes here still searches; the URL just stays
    }
  }

  function changed(fromTyping) {
    update();
    writeUrl(!(fromTyping && typing));
    typing = fromTyping;
  }

  function clearAll() {
    input.value = "";
    selects.forEach(function (select) {
      select.value = "";
    });
    changed(false);
    input.focus();
  }

  input.addEventListener("input", function () {
    changed(true);
  });
  selects.forEach(function (select) {
    select.addEventListener("change", function () {
      changed(false);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-clear]"), function (button) {
    button.addEventListener("click", clearAll);
  });

  // Enter opens the best match: a word of an objection, then Enter, reaches its card.
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // the first card shown is the best match (the list is in score order)
      var link = list.querySelector(".card:not([hidden]) .card-title a");
      if (link) {
        window.location.href = link.href;
      }
    });
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      changed(false);
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

  window.addEventListener("popstate", function () {
    readUrl();
    typing = false;
    update();
  });
  // Back from a card to a page kept in memory: the URL says what the list showed. (A page
  // loaded again reads the URL below, over any field values the browser restored.)
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      readUrl();
      update();
    }
  });
  readUrl();
  update();
})();
