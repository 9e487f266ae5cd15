// Tsunagari default theme: small, dependency-free behaviour. Pages work without it.
(function () {
  "use strict";

  // ---- Quick exit: leave for a neutral site, replacing this history entry. ----
  var exitLink = document.querySelector("[data-quick-exit]");
  function quickExit(event) {
    if (event) event.preventDefault();
    var target = exitLink ? exitLink.getAttribute("href") : "https://www.google.co.jp/";
    try { document.body.style.visibility = "hidden"; } catch (e) {}
    window.location.replace(target);
  }
  if (exitLink) exitLink.addEventListener("click", quickExit);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 1500) quickExit(event);
    lastEscape = now;
  });

  // ---- Phone numbers written in running text become tel: links too. ----
  // (Numbers in the structured fields are links already; this covers prose and summaries.)
  var phonePattern = /(#\d{4}(?!\d))|((?:^|[^\d-])(0(?:120|800|570|\d{1,4})-\d{1,4}-\d{3,4}|0120-\d{6}))(?![\d-])/g;
  function linkPhones(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) { return node.parentNode.closest("a, script, style, rt, rp") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue, match, last = 0, parts = [];
      phonePattern.lastIndex = 0;
      while ((match = phonePattern.exec(text))) {
        var number = match[1] || match[3];
        var start = match.index + (match[1] ? 0 : match[2].length - match[3].length);
        parts.push(document.createTextNode(text.slice(last, start)));
        var a = document.createElement("a");
        a.className = "tel tel-inline";
        a.href = "tel:" + number.replace(/-/g, "").replace("#", "%23");
        a.textContent = number;
        parts.push(a);
        last = start + number.length;
      }
      if (!parts.length) return;
      parts.push(document.createTextNode(text.slice(last)));
      var fragment = document.createDocumentFragment();
      parts.forEach(function (p) { fragment.appendChild(p); });
      node.parentNode.replaceChild(fragment, node);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".prose, .lead, .card-summary, .entry-list p, .channel-note"), linkPhones);

  // ---- Parts that need script are shown, their no-script stand-ins hidden. ----
  Array.prototype.forEach.call(document.querySelectorAll("[data-no-script]"), function (el) { el.hidden = true; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-finder], [data-search-filters]"), function (el) { el.hidden = false; });

  // ---- Open now, in Japan time. ----
  // `?now=2024-11-06T10:00` fixes the clock (for tests and for checking a schedule).
  function japanNow() {
    var param = new URLSearchParams(window.location.search).get("now");
    if (param && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(param)) {
      var p = param.split(/[-T:]/).map(Number);
      return { date: param.slice(0, 10), day: new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay(), minutes: p[3] * 60 + p[4] };
    }
    var t = new Date(Date.now() + 9 * 3600 * 1000);
    var iso = t.toISOString();
    return { date: iso.slice(0, 10), day: t.getUTCDay(), minutes: t.getUTCHours() * 60 + t.getUTCMinutes() };
  }
  // Our day indices: 0 = 月 … 6 = 日 (7 = 祝, not known to the browser).
  function dayIndex(jsDay) { return (jsDay + 6) % 7; }

  function isOpen(schedule, now) {
    if (schedule.from && now.date < schedule.from) return false;
    if (schedule.until && now.date > schedule.until) return false;
    if (schedule.always) return true;
    var today = dayIndex(now.day), yesterday = (today + 6) % 7;
    return (schedule.weekly || []).some(function (r) {
      if (r.c > r.o) return r.d.indexOf(today) >= 0 && now.minutes >= r.o && now.minutes < r.c;
      // Past midnight: open from `o` today, or until `c` after yesterday's start.
      return (r.d.indexOf(today) >= 0 && now.minutes >= r.o) || (r.d.indexOf(yesterday) >= 0 && now.minutes < r.c);
    });
  }
  function outsidePeriod(schedule, now) {
    return (schedule.from && now.date < schedule.from) || (schedule.until && now.date > schedule.until);
  }

  window.Tsunagari = window.Tsunagari || {};
  window.Tsunagari.isOpen = isOpen;
  window.Tsunagari.japanNow = japanNow;

  var now = japanNow();
  var openCount = 0;
  Array.prototype.forEach.call(document.querySelectorAll("[data-schedule]"), function (el) {
    var text = el.getAttribute("data-schedule");
    if (!text) return;
    var schedule;
    try { schedule = JSON.parse(text); } catch (e) { return; }
    var badge = el.querySelector("[data-open-badge]");
    if (el.classList.contains("crisis-line")) {
      // A period-limited line is shown only within its period (the build's guess is replaced).
      el.hidden = !!outsidePeriod(schedule, now);
      if (el.hidden) return;
    }
    if (isOpen(schedule, now)) {
      el.classList.add("is-open");
      if (badge) badge.hidden = false;
      if (el.classList.contains("crisis-line")) openCount++;
    }
  });
  var summary = document.querySelector("[data-open-summary]");
  if (summary && openCount > 0) {
    summary.textContent = "いま受け付けている窓口が" + openCount + "件あります。";
    summary.hidden = false;
  }
  // Open lines first in the crisis block; 24-hour lines keep their place among them.
  var list = document.querySelector(".crisis-lines");
  if (list) {
    var items = Array.prototype.slice.call(list.children);
    items.sort(function (a, b) { return (b.classList.contains("is-open") ? 1 : 0) - (a.classList.contains("is-open") ? 1 : 0); });
    items.forEach(function (li) { list.appendChild(li); });
  }
})();
