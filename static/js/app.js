// Behaviour that would otherwise need inline scripts or htmx's eval(), both barred by the CSP.

// A periodic refresh (the engineer queue) waits while the engineer has rows selected, so a bulk
// action in progress is not wiped out by the next poll.
document.addEventListener("htmx:confirm", function (event) {
  var source = event.detail.elt;
  var selector = source && source.getAttribute && source.getAttribute("data-pause-while-selected");
  if (selector && document.querySelector(selector)) {
    event.preventDefault();
  }
});
