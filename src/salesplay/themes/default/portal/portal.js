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
  var closest = document.getElementById("closest");
  var cardLinks = document.getElementById("competitor-cards");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var filtersToggle = document.getElementById("filters-toggle");
  var finder = filtersToggle && filtersToggle.closest(".finder");
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
    ["signals", 4, true],
    ["industries", 3, true],
    ["personas", 3, true],
    ["destinations", 3, true],
    ["discovery", 3, true],
    ["kinds", 3, true],
    ["why_anything", 2, true],
    ["why_now", 2, true],
    ["stages", 2, true],
    ["responses", 2, true],
    ["claims", 2, true],
    ["proof", 2, true],
    ["talk_tracks", 2, true],
    ["landmines", 2, true],
    ["qualification", 1, true],
    ["next_steps", 1, true],
    ["goals", 1, true],
    ["handoff", 1, true],
    ["summary", 1, false]
  ];
  // A glossary meaning of a term the play uses ([term, meaning]), labelled with its term.
  var JARGON_WEIGHT = 1;
  // what reps know of the competitors a play names: [field, weight]. It is about the
  // competitor, not the play: it counts only when the query names the competitor, or when
  // no play matches without it (see search()).
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
  // How much a word counts by how it matched a word of the text: whole (after the plural
  // is dropped), as its start (a word still being typed), inside it, or spelt one or two
  // letters off (a typo).
  var EXACT = 3;
  var PREFIX = 2;
  var INSIDE = 1;
  var TYPO = 1;
  var PHRASE = 3; // the whole query found as a phrase ("false alarms") multiplies its text's
  var NEAR_FACTOR = 2; // its words that must match found close together, in order
  // Words a rep says around what they heard ("customer says their backups are on tape"),
  // from the index (render/portal.py STOP_WORDS): they need not match.
  var STOP_WORDS = {};
  asList(data.stop_words).forEach(function (word) {
    STOP_WORDS[word] = true;
  });

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

  // A word is a run of letters (with their marks: kana, Arabic) and digits; anything else
  // (spaces, punctuation, quotes, hyphens) separates words, in the query as in the index.
  var WORD = /[\p{L}\p{M}\p{N}]+/gu;

  // The plural dropped, the same in index and query: tapes → tape, VMs → vm, boxes → box,
  // policies → policy; "ss", "us" and "is" endings stay (process, status, analysis).
  function stem(word) {
    var n = word.length;
    if (n > 4 && /ies$/.test(word)) {
      return word.slice(0, -3) + "y";
    }
    if (n > 4 && /(ss|ch|sh|x|z)es$/.test(word)) {
      return word.slice(0, -2);
    }
    if (n > 2 && word.charAt(n - 1) === "s" && !/(ss|us|is)$/.test(word)) {
      return word.slice(0, -1);
    }
    return word;
  }

  // The words of a folded text as [start, end, stemmed word], each hyphenated pair also
  // joined (off-site is also "offsite").
  function wordsOf(folded) {
    var out = [];
    var m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(folded))) {
      var prev = out.length ? out[out.length - 1] : null;
      if (prev && !prev[3] && m.index === prev[1] + 1 && folded.charAt(prev[1]) === "-") {
        out.push([prev[0], m.index + m[0].length, stem(folded.slice(prev[0], prev[1]) + m[0]), true]);
      }
      out.push([m.index, m.index + m[0].length, stem(m[0]), false]);
    }
    return out;
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

  // One searchable text: its words as " w1 w2 … " (a word found whole, at its start or
  // inside is one indexOf), and what it counts for and is shown as.
  function searchable(label, shown, weight, text, intel) {
    var folded = fold(text);
    var words = wordsOf(folded).map(function (w) {
      return w[2];
    });
    return {
      label: label,
      shown: shown,
      weight: weight,
      text: String(text),
      folded: folded,
      words: " " + words.join(" ") + " ",
      intel: intel
    };
  }

  function texts(play) {
    var out = [];
    FIELDS.forEach(function (field) {
      asList(play[field[0]]).forEach(function (value) {
        var label = field[2] ? (L.fields || {})[field[0]] || "" : "";
        out.push(searchable(label, field[2], field[1], String(value), null));
      });
    });
    asList(play.jargon).forEach(function (pair) {
      out.push(searchable(String(pair[0]), true, JARGON_WEIGHT, String(pair[1]), null));
    });
    asList(play.competitors).forEach(function (name) {
      var comp = competitors[name];
      INTEL.forEach(function (field) {
        asList(comp && comp[field[0]]).forEach(function (value) {
          var label = fill((L.intel || {})[field[0]] || "%(name)s", { name: name });
          out.push(searchable(label, true, field[1], String(value), name));
        });
      });
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

  // Every word of the index once, " w1 w2 … ", for typo look-ups.
  var vocabulary = (function () {
    var seen = {};
    entries.forEach(function (entry) {
      entry.texts.forEach(function (text) {
        text.words
          .split(" ")
          .filter(Boolean)
          .forEach(function (word) {
            seen[word] = true;
          });
      });
    });
    return Object.keys(seen);
  })();
  var vocabularyText = " " + vocabulary.join(" ") + " ";

  // Optimal string alignment distance (a swap of two letters is one edit), or more than
  // `max` as soon as it is sure to be: a typo look-up stays cheap on a large index.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) {
      return max + 1;
    }
    var before = null;
    var prev = [];
    for (var j = 0; j <= b.length; j++) {
      prev.push(j);
    }
    for (var i = 1; i <= a.length; i++) {
      var row = [i];
      var least = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        var d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (
          before &&
          i > 1 &&
          j > 1 &&
          a.charAt(i - 1) === b.charAt(j - 2) &&
          a.charAt(i - 2) === b.charAt(j - 1)
        ) {
          d = Math.min(d, before[j - 2] + 1);
        }
        row.push(d);
        least = Math.min(least, d);
      }
      if (least > max) {
        return max + 1;
      }
      before = prev;
      prev = row;
    }
    return prev[b.length];
  }

  // The index's words a word found nowhere was probably meant as ("tpae": tape, "acmee":
  // acme): one edit off, two for a word of eight letters or more; the closest, at most 3.
  var TYPO_MAX = 3;
  var typos = {};
  function closeWords(word) {
    if (word.length < 4 || vocabularyText.indexOf(word) >= 0) {
      return [];
    }
    if (!Object.prototype.hasOwnProperty.call(typos, word)) {
      var max = word.length >= 8 ? 2 : 1;
      var found = [];
      vocabulary.forEach(function (candidate) {
        var d = distance(word, candidate, max);
        if (d <= max) {
          found.push([d, candidate]);
        }
      });
      found.sort(function (a, b) {
        return a[0] - b[0] || (a[1] < b[1] ? -1 : 1);
      });
      typos[word] = found.slice(0, TYPO_MAX).map(function (f) {
        return f[1];
      });
    }
    return typos[word];
  }

  // The query's words, folded and stemmed as the index is. A short word followed by another
  // ("no budget") is meant whole; the last word may be a word still being typed. Stop words
  // are left out (unless the query is nothing else); `phrase` keeps them all.
  function queryWords(query) {
    var found = wordsOf(fold(query)).filter(function (w) {
      return !w[3];
    });
    var all = found.map(function (w, i) {
      var raw = fold(query).slice(w[0], w[1]);
      return {
        text: w[2],
        whole: w[2].length <= 2 && i < found.length - 1,
        stop: STOP_WORDS[raw] === true,
        raw: raw
      };
    });
    var kept = all.filter(function (w) {
      return !w.stop;
    });
    var words = kept.length ? kept : all;
    words.forEach(function (w) {
      w.typos = closeWords(w.text);
    });
    words.phrase = all.length > 1 ? phraseRe(all, "[^\\p{L}\\p{M}\\p{N}]+") : null;
    // the words that must match, in order, at most two other words apart ("backups on tape"
    // for "customer says their backups are on tape")
    words.near = words.length > 1 ? phraseRe(words, NEAR) : null;
    words.query = all
      .map(function (w) {
        return w.raw;
      })
      .join(" ");
    return words;
  }

  var NEAR = "(?:[^\\p{L}\\p{M}\\p{N}]+[\\p{L}\\p{M}\\p{N}]+){0,2}[^\\p{L}\\p{M}\\p{N}]+";

  // `words` in a folded text, in order, with `between` between each two.
  function phraseRe(words, between) {
    return new RegExp(
      words
        .map(function (w) {
          return w.raw;
        })
        .join(between),
      "u"
    );
  }

  // How well `word` matches a text's words (" w1 w2 … "): EXACT, PREFIX, INSIDE, TYPO or 0.
  function quality(words, word) {
    var t = word.text;
    if (words.indexOf(t) >= 0) {
      if (words.indexOf(" " + t + " ") >= 0) {
        return EXACT;
      }
      if (!word.whole && words.indexOf(" " + t) >= 0) {
        return PREFIX;
      }
      if (!word.whole) {
        return INSIDE;
      }
    }
    for (var i = 0; i < word.typos.length; i++) {
      if (words.indexOf(" " + word.typos[i] + " ") >= 0) {
        return TYPO;
      }
    }
    return 0;
  }

  // Per query word, the play's best text: among its own (and those of the competitors the
  // query names), and among what reps know of the other competitors it names. A text that
  // holds several of the query's words counts that many times for each: "Our backups are on
  // tape" beats "Acme Backup" and a summary that says "tape".
  function matchEntry(entry, words, named) {
    var own = [];
    var intel = [];
    var strength = []; // per text: how many of the words it holds, times its phrase bonus
    for (var w = 0; w < words.length; w++) {
      own.push([0, -1, 0]);
      intel.push([0, -1, 0]);
    }
    for (var t = 0; t < entry.texts.length; t++) {
      var text = entry.texts[t];
      var found = [];
      for (w = 0; w < words.length; w++) {
        found.push(quality(text.words, words[w]));
      }
      var covered = found.filter(Boolean).length;
      if (!covered) {
        strength.push(0);
        continue;
      }
      var factor = covered;
      if (words.phrase && words.phrase.test(text.folded)) {
        factor *= PHRASE;
      } else if (words.near && words.near.test(text.folded)) {
        factor *= NEAR_FACTOR;
      }
      strength.push(factor);
      var into = text.intel && !named[text.intel] ? intel : own;
      for (w = 0; w < words.length; w++) {
        var points = text.weight * found[w] * factor;
        // on a tie, the text holding more of the query: the better reason to show
        if (points > into[w][0] || (points === into[w][0] && factor > into[w][2])) {
          into[w] = [points, t, factor];
        }
      }
    }
    return { own: own, intel: intel, strength: strength };
  }

  // A play's score with or without the intel of competitors the query does not name: how
  // many of the query's words it matches, their points, and the texts that matched (the
  // phrase's, else the strongest: holding the most of the query's words, close together).
  function tally(entry, matched, withIntel, words) {
    var hits = 0;
    var points = 0;
    var chosen = [];
    for (var w = 0; w < matched.own.length; w++) {
      var best = matched.own[w];
      if (!best[0] && withIntel) {
        best = matched.intel[w];
      }
      if (!best[0]) {
        continue;
      }
      hits++;
      points += best[0];
      if (chosen.indexOf(best[1]) < 0) {
        chosen.push(best[1]);
      }
    }
    chosen.sort(function (a, b) {
      return (
        matched.strength[b] - matched.strength[a] ||
        entry.texts[b].weight - entry.texts[a].weight
      );
    });
    var texts = chosen.map(function (t) {
      return entry.texts[t];
    });
    var phraseText = null;
    if (words.phrase) {
      texts.forEach(function (text) {
        if (words.phrase.test(text.folded) && (!phraseText || text.weight > phraseText.weight)) {
          phraseText = text;
        }
      });
    }
    var reasons = (phraseText ? [phraseText] : texts)
      .filter(function (text) {
        return text.shown;
      })
      .slice(0, MAX_REASONS);
    return { hits: hits, points: points, reasons: reasons };
  }

  // The competitors the query names: their whole name within it, the name being typed
  // ("iron"), or the first word of a name when it is distinctive ("acme", "ironclad"; not
  // "do" of "Do nothing") — not a word it merely shares with a name ("backup").
  function namedCompetitors(words) {
    var query = " " + (words.query || "") + " ";
    var typed = words.query || "";
    var named = {};
    (data.competitors || []).forEach(function (comp) {
      var parts = wordsOf(fold(comp.name))
        .filter(function (w) {
          return !w[3];
        })
        .map(function (w) {
          return fold(comp.name).slice(w[0], w[1]);
        });
      var name = parts.join(" ");
      var first = parts.length > 1 && parts[0].length >= 4 && !STOP_WORDS[parts[0]];
      if (
        name &&
        ((typed.length >= 3 && name.indexOf(typed) === 0) ||
          query.indexOf(" " + name + " ") >= 0 ||
          (first && query.indexOf(" " + parts[0] + " ") >= 0))
      ) {
        named[comp.name] = true;
      }
    });
    return named;
  }

  // The plays to show, best first, and whether they match every word. Tried in turn, the
  // first that finds a play wins: every word in the play's own text (with the intel of the
  // competitors the query names); every word, counting what reps know of any competitor
  // the play names; the plays matching the most words, without that intel, then with it.
  function search(candidates, words) {
    if (!words.length) {
      return {
        complete: true,
        shown: candidates.map(function (entry) {
          return { entry: entry, points: 0, hits: 0, result: { reasons: [] } };
        })
      };
    }
    var named = namedCompetitors(words);
    var matched = candidates.map(function (entry) {
      return matchEntry(entry, words, named);
    });
    var passes = [
      [true, false],
      [true, true],
      [false, false],
      [false, true]
    ];
    for (var p = 0; p < passes.length; p++) {
      var every = passes[p][0];
      var shown = [];
      candidates.forEach(function (entry, i) {
        var result = tally(entry, matched[i], passes[p][1], words);
        if (result.hits && (!every || result.hits === words.length)) {
          shown.push({ entry: entry, points: result.points, hits: result.hits, result: result });
        }
      });
      if (shown.length) {
        shown.sort(function (a, b) {
          return b.hits - a.hits || b.points - a.points || a.entry.order - b.entry.order;
        });
        return { complete: every, shown: shown };
      }
    }
    return { complete: true, shown: [] };
  }

  // Where the query's words (or its phrase) occur in `text`, as [start, end) of the original.
  function spans(text, words) {
    var mapped = foldMapped(text);
    var found = [];
    function add(at, end) {
      var overlaps = found.some(function (s) {
        return at < s[3] && end > s[2];
      });
      if (!overlaps) {
        var start = mapped.from ? mapped.from[at] : at;
        var stop = mapped.from ? mapped.from[end - 1] + 1 : end;
        found.push([start, stop, at, end]);
      }
    }
    var phrase = words.phrase && words.phrase.exec(mapped.folded);
    if (phrase) {
      add(phrase.index, phrase.index + phrase[0].length);
    } else {
      wordsOf(mapped.folded).forEach(function (w) {
        var token = w[2];
        words.forEach(function (word) {
          var q = quality(" " + token + " ", word);
          if (q === EXACT || q === TYPO) {
            add(w[0], w[1]); // the whole word as written: "tapes" for "tape"
          } else if (q === PREFIX) {
            add(w[0], Math.min(w[1], w[0] + word.text.length));
          } else if (q === INSIDE) {
            var at = mapped.folded.indexOf(word.text, w[0]);
            if (at >= 0 && at < w[1]) {
              add(at, Math.min(w[1], at + word.text.length));
            }
          }
        });
      });
    }
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
  // that names a competitor.
  function showCompetitorCards(words) {
    if (!cardLinks) {
      return;
    }
    var named = words.length ? namedCompetitors(words) : {};
    var picked = (data.competitors || []).filter(function (comp) {
      var filter = selects.some(function (select) {
        return select.getAttribute("data-filter") === "competitor" && select.value === comp.name;
      });
      return comp.href && (filter || named[comp.name]);
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
    var filtered = filtering();
    var found = search(entries.filter(passesFilters), words);
    var shown = found.shown;
    var visible = {};
    shown.forEach(function (item) {
      visible[item.entry.play.id] = true;
    });
    entries.forEach(function (entry) {
      var hidden = !visible[entry.play.id];
      if (entry.card.hidden !== hidden) {
        entry.card.hidden = hidden; // only what changes: a thousand cards are a lot to touch
      }
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
        words.length || filtered
          ? fill(L.matching || "%(shown)s / " + total, { shown: shown.length })
          : allPlays;
    }
    if (closest) {
      closest.hidden = found.complete;
    }
    if (empty) {
      empty.hidden = shown.length > 0;
    }
    showCompetitorCards(words);
    document.body.classList.toggle("searching", words.length > 0 || filtered);
    countFilters();
  }

  // Folded, the toggle says how many filters are chosen: a phone's results are narrowed by
  // choices the rep no longer sees.
  var filtersLabel = filtersToggle ? filtersToggle.textContent : "";
  function countFilters() {
    if (!filtersToggle) {
      return;
    }
    var chosen = selects.filter(function (select) {
      return select.value;
    }).length;
    filtersToggle.textContent = chosen
      ? fill(L.filters_chosen || filtersLabel + " (%(n)s)", { n: chosen })
      : filtersLabel;
  }

  // --- on a phone, the filters fold behind a toggle ----------------------------------------

  // Open while a filter is chosen (a shared link's filter is seen), else as the rep left it.
  function showFilters(open) {
    if (!finder) {
      return;
    }
    finder.classList.toggle("filters-open", open);
    filtersToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  if (finder) {
    filtersToggle.hidden = false;
    finder.classList.add("filters-collapsible");
    filtersToggle.addEventListener("click", function () {
      showFilters(!finder.classList.contains("filters-open"));
    });
  }

  function filtering() {
    return selects.some(function (select) {
      return select.value;
    });
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
    if (filtering()) {
      showFilters(true);
    }
  }

  // A burst of typing is one history entry; each filter change or clear is its own. A
  // burst ends when the box loses focus or after a pause (BURST_MS without a keystroke):
  // a search typed later is an entry of its own, which Back returns from (every search
  // after the first was written over the first's entry).
  var BURST_MS = 1500;
  var typing = false;
  var lastTyped = 0;

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
    var now = Date.now();
    update();
    writeUrl(!(fromTyping && typing && now - lastTyped < BURST_MS));
    typing = fromTyping;
    lastTyped = fromTyping ? now : 0;
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
  input.addEventListener("blur", function () {
    typing = false;
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
      typing = false;
      readUrl();
      update();
    }
  });
  readUrl();
  update();
})();
