// A payment run's page (templates/support/payments/run-page.html), progressively enhanced: while the run is in
// progress, fetch the page again every few seconds and bring its progress region (aria-live="polite") and its
// details up to date in place, until the run has finished. Without JavaScript the page's "Refresh" link does
// the same by hand. Only what changed is changed, so a screen reader announces a step's new state, not the
// whole region; the region itself is never replaced (a replaced live region is not announced).

// Stop after 30 minutes of refreshing (the Refresh link stays): an open tab must not keep a session alive for
// ever while a run waits, for days, on support review.
const MAX_REFRESHES = 360;

function syncAttributes(current, next) {
  for (const { name } of Array.from(current.attributes)) {
    if (!next.hasAttribute(name)) current.removeAttribute(name);
  }
  for (const { name, value } of Array.from(next.attributes)) {
    if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  }
}

// `current` keeps its identity and takes `next`'s attributes and children.
function updateInPlace(current, next) {
  syncAttributes(current, next);
  const now = Array.from(current.childNodes);
  const wanted = Array.from(next.childNodes);
  if (now.length !== wanted.length) {
    current.replaceChildren(...wanted.map((node) => document.importNode(node, true)));
    return;
  }
  now.forEach((child, index) => sync(child, wanted[index]));
}

function sync(current, next) {
  if (current.isEqualNode(next)) return;
  if (current.nodeType === Node.TEXT_NODE && next.nodeType === Node.TEXT_NODE) {
    current.nodeValue = next.nodeValue;
  } else if (current.nodeType === Node.ELEMENT_NODE && current.nodeName === next.nodeName) {
    updateInPlace(current, next);
  } else {
    current.replaceWith(document.importNode(next, true));
  }
}

function watch(region) {
  const seconds = Number(region.dataset.appRefreshSeconds) || 5;
  let refreshes = 0;
  const inProgress = () => region.hasAttribute("data-app-refresh-seconds");
  const later = () => window.setTimeout(refresh, seconds * 1000);

  async function refresh() {
    if (!inProgress()) return;
    if (document.hidden) {
      later(); // nobody is looking: ask again when someone may be
      return;
    }
    refreshes += 1;
    let next;
    try {
      const response = await fetch(window.location.href, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
        redirect: "error", // signed out: the sign-in page is not this page
      });
      if (!response.ok) return; // an error page (or no longer allowed): stop, the Refresh link still works
      next = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      if (refreshes < MAX_REFRESHES) later(); // the network dropped for a moment: try again
      return;
    }
    const nextRegion = next.getElementById(region.id);
    if (!nextRegion) return;
    document.querySelectorAll("[data-app-run-details]").forEach((part) => {
      const nextPart = next.getElementById(part.id);
      if (nextPart) updateInPlace(part, nextPart);
    });
    updateInPlace(region, nextRegion); // takes away data-app-refresh-seconds once the run has finished
    if (inProgress() && refreshes < MAX_REFRESHES) later();
  }

  later();
}

document.querySelectorAll("[data-app-run-progress][data-app-refresh-seconds]").forEach(watch);
