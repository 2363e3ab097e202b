// Progressive enhancement only: every page works without this file.
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();

// GOV.UK Frontend 6.3 marks radios and checkboxes that reveal conditional content with
// aria-expanded, which ARIA 1.2 does not allow on those roles (axe-core: aria-allowed-attr).
// The reveal itself does not depend on it, and aria-controls still links the two, so take it off
// whenever it is set.
function dropAriaExpanded(root) {
  root.querySelectorAll("input[type=radio][aria-expanded], input[type=checkbox][aria-expanded]").forEach((input) => {
    input.removeAttribute("aria-expanded");
  });
}
dropAriaExpanded(document);
new MutationObserver((changes) => {
  for (const change of changes) {
    const input = change.target;
    if (input instanceof HTMLInputElement && (input.type === "radio" || input.type === "checkbox") && input.hasAttribute("aria-expanded")) {
      input.removeAttribute("aria-expanded");
    }
  }
}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-expanded"] });

// The accredited provider search: accessible-autocomplete over the same search the no-JavaScript
// results page uses. Choosing a suggestion fills the hidden provider code, so Continue goes straight
// on; typing without choosing still posts the text and shows the results page.
function enhanceProviderSearch(container) {
  const autocomplete = window.accessibleAutocomplete;
  const input = container.querySelector("input[name=provider_search]");
  const code = container.closest("form").querySelector("[data-app-provider-code]");
  if (!autocomplete || !input || !code) return;
  const source = container.dataset.source;
  const label = (provider) => provider && `${provider.name} (UKPRN ${provider.ukprn}${provider.urn ? `, URN ${provider.urn}` : ""})`;
  const wrapper = document.createElement("div");
  input.parentNode.insertBefore(wrapper, input);
  const initial = input.value;
  input.remove();
  autocomplete({
    element: wrapper,
    id: "provider-search",
    name: "provider_search",
    defaultValue: initial,
    minLength: 2,
    inputClasses: input.classList.contains("govuk-input--error") ? "govuk-input--error" : "",
    showNoOptionsFound: true,
    tNoResults: () => "No accredited providers found",
    templates: { inputValue: (provider) => provider && provider.name, suggestion: label },
    source: (query, populate) => {
      code.value = "";
      fetch(`${source}?query=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then(populate)
        .catch(() => populate([]));
    },
    onConfirm: (provider) => {
      if (provider) code.value = provider.code;
    },
  });
}

document.querySelectorAll("[data-app-provider-autocomplete]").forEach(enhanceProviderSearch);
