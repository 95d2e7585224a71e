// Drawing a signature on the quote's signing form. The typed full name is the
// signature that always counts. A drawing is optional, and it is sent as a PNG
// data URL in the hidden "drawn_signature" field. Without JavaScript the
// drawing area stays hidden and the typed name alone signs.
const pad = document.getElementById("signature-pad");

if (pad) {
  const canvas = pad.querySelector("canvas");
  const field = document.getElementById("drawn_signature");
  const clearButton = document.getElementById("clear-signature");
  const context = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;

  function scaleToDisplay() {
    // Match the bitmap to the displayed size so lines stay sharp and land
    // under the pointer. Resizing clears the canvas, so the field is emptied.
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.scale(ratio, ratio);
    context.lineWidth = 2;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1b1d21";
    strokes = 0;
    field.value = "";
  }

  function pointOf(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const point = pointOf(event);
    context.beginPath();
    context.moveTo(point.x, point.y);
    event.preventDefault();
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) {
      return;
    }
    const point = pointOf(event);
    context.lineTo(point.x, point.y);
    context.stroke();
  });

  function finishStroke() {
    if (!drawing) {
      return;
    }
    drawing = false;
    strokes += 1;
    field.value = canvas.toDataURL("image/png");
  }

  canvas.addEventListener("pointerup", finishStroke);
  canvas.addEventListener("pointercancel", finishStroke);

  clearButton.addEventListener("click", () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
    field.value = "";
  });

  pad.hidden = false;
  scaleToDisplay();
  window.addEventListener("resize", () => {
    if (strokes === 0) {
      scaleToDisplay();
    }
  });
}
