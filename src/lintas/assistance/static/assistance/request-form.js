// The draft form: the priority follows the type (a stop-payment or a preservation is urgent) until the officer
// chooses a priority by hand; each change refreshes the due-time hint (htmx). No inline script (CSP).
document.addEventListener("DOMContentLoaded", () => {
  const type = document.getElementById("id_type");
  const priority = document.getElementById("id_priority");
  if (!type || !priority || !type.dataset.defaultPriorities) return;
  const defaults = JSON.parse(type.dataset.defaultPriorities);
  let chosenByHand = false;
  priority.addEventListener("change", (event) => {
    if (event.isTrusted) chosenByHand = true;
  });
  type.addEventListener("change", () => {
    const wanted = defaults[type.value];
    if (chosenByHand || !wanted || priority.value === wanted) return;
    priority.value = wanted;
    priority.dispatchEvent(new Event("change", { bubbles: true }));
  });
});
