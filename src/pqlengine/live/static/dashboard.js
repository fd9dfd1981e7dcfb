// Draws every chart of the page with the bundled vega-embed (no CDN), and keeps the
// segment picker in step with the "segment by" picker. Loaded as a module after
// vega-bundle.js, which defines window.vegaEmbed.
const figures = document.querySelectorAll("figure.chart[data-chart]");
for (const figure of figures) {
  const source = figure.querySelector("script.spec");
  const target = figure.querySelector(".vega");
  if (!source || !target) continue;
  const spec = JSON.parse(source.textContent);
  window
    .vegaEmbed(target, spec, { actions: false, renderer: "svg" })
    .then(() => { figure.dataset.rendered = "true"; })
    .catch((error) => {
      figure.dataset.rendered = "error";
      target.textContent = `This chart could not be drawn: ${error}`;
    });
}

const values = document.getElementById("segment-values");
const by = document.querySelector("select[data-picker=by]");
const segment = document.querySelector("select[data-picker=segment]");
if (values && by && segment) {
  const choices = JSON.parse(values.textContent);
  by.addEventListener("change", () => {
    segment.replaceChildren(new Option("all (compare segments)", ""));
    for (const value of choices[by.value] || []) segment.append(new Option(value, value));
  });
}
