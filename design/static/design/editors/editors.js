// The designer's editors: a click on a picker's suggestion fills the reference input it belongs to
// (and the input event makes the form check itself again, as if the analyst had typed it).
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-pick-for]");
  if (!pick) return;
  const input = document.getElementById(pick.dataset.pickFor);
  if (!input) return;
  input.value = pick.dataset.pickValue;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const list = pick.closest(".picks");
  if (list) list.innerHTML = "";
  const search = list && list.previousElementSibling;
  if (search && search.classList.contains("picker")) search.value = "";
});
