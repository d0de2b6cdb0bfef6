/* The partner directory's filters: a name, a region, and a play (the partners whose tier's
   kits hold it). The choice is kept in the URL (?region=EMEA&play=backup-modernization),
   so a card's "Find a partner" link opens the list filtered; without script every partner
   is shown. */
(function () {
  "use strict";
  var list = document.getElementById("partner-list");
  var block = document.getElementById("partner-data");
  if (!list || !block) {
    return;
  }
  var data = {};
  try {
    data = JSON.parse(block.textContent) || {};
  } catch (e) {
    data = {};
  }
  var tiers = data.tiers || {};
  var labels = data.labels || {};
  var query = document.getElementById("pq");
  var region = document.getElementById("f-region");
  var play = document.getElementById("f-play");
  var count = document.getElementById("partner-count");
  var none = document.getElementById("partner-none");
  var items = Array.prototype.slice.call(list.children);
  var initial = count.textContent;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var names = items.map(function (item) {
    var title = item.querySelector(".card-title");
    return fold(title ? title.textContent : "");
  });

  function fill(template, values) {
    return String(template || "").replace(/%(%|\((\w+)\)s)/g, function (all, what, name) {
      return name ? String(values[name]) : "%";
    });
  }

  // A value from the URL names an option however it is written, as the page's regions are
  // one however partners write them (render/portal.py region_key: the words, composed, in
  // any case): "?region=Germany" chooses the option "germany" the first partner listed
  // wrote, where it chose none and showed every partner. Upper then lower case folds "ß"
  // as Python's casefold does.
  function key(text) {
    return String(text).normalize("NFC").split(/\s+/).filter(Boolean).join(" ")
      .toUpperCase().toLowerCase();
  }

  function choose(select, value) {
    var wanted = key(value);
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i].value;
      if (option === value || (wanted && key(option) === wanted)) {
        select.value = option;
        return;
      }
    }
  }

  function remember() {
    var params = new URLSearchParams(window.location.search);
    [["region", region.value], ["play", play.value], ["q", query.value.trim()]].forEach(function (pair) {
      if (pair[1]) {
        params.set(pair[0], pair[1]);
      } else {
        params.delete(pair[0]);
      }
    });
    var search = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    } catch (e) {
      /* a file:// page in some browsers: the filter still works */
    }
  }

  function apply() {
    var words = fold(query.value).split(/\s+/).filter(Boolean);
    var wanted = region.value;
    var sellers = play.value ? Object.keys(tiers).filter(function (tier) {
      return (tiers[tier] || []).indexOf(play.value) >= 0;
    }) : null;
    var shown = 0;
    items.forEach(function (item, i) {
      var regions = (item.getAttribute("data-regions") || "").split("\n");
      var ok = (!wanted || regions.indexOf(wanted) >= 0)
        && (!sellers || sellers.indexOf(item.getAttribute("data-tier")) >= 0)
        && words.every(function (word) { return names[i].indexOf(word) >= 0; });
      item.hidden = !ok;
      if (ok) {
        shown += 1;
      }
    });
    var filtered = words.length || wanted || sellers;
    count.textContent = filtered ? fill(labels.matching, { shown: shown }) : initial;
    none.hidden = shown > 0;
  }

  var params = new URLSearchParams(window.location.search);
  choose(region, params.get("region") || "");
  choose(play, params.get("play") || "");
  query.value = params.get("q") || "";
  [region, play].forEach(function (select) {
    select.addEventListener("change", function () { apply(); remember(); });
  });
  query.addEventListener("input", function () { apply(); remember(); });
  document.getElementById("partner-form").addEventListener("submit", function (event) {
    event.preventDefault();
  });
  document.querySelector("[data-clear]").addEventListener("click", function () {
    region.value = "";
    play.value = "";
    query.value = "";
    apply();
    remember();
  });
  apply();
}());
