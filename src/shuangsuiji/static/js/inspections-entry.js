/* 一企一表 result entry on a phone: local draft (localStorage) saved while typing and resumed on the next
 * visit, submission queued while offline and sent when the connection returns, signature pad (canvas → PNG).
 * Loaded as a file (no inline script). Works without JavaScript too: the form then posts normally. */
(function () {
  "use strict";

  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem("ssj-probe", "1");
    storage.removeItem("ssj-probe");
  } catch (e) {
    storage = null;
  }

  // A record that is no longer open for entry (submitted, approved): its local draft is obsolete.
  document.querySelectorAll("[data-ssj-clear-draft]").forEach(function (el) {
    if (storage) storage.removeItem(el.getAttribute("data-ssj-clear-draft"));
  });

  var form = document.getElementById("ssj-entry");
  if (!form) return;

  var key = form.getAttribute("data-draft-key");
  var statusEl = document.getElementById("ssj-draft-status");
  var draftBanner = document.getElementById("ssj-draft-banner");
  var offlineBanner = document.getElementById("ssj-offline-banner");
  var canvas = document.getElementById("ssj-signature-pad");
  var signatureInput = form.querySelector('input[name="signature_data"]');
  var clientIdInput = form.querySelector('input[name="client_submission_id"]');
  var submitting = false;

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) { var d = new Date(ms); return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  function setStatus(text) { if (statusEl) statusEl.textContent = text; }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  }

  function skip(el) {
    return !el.name || el.type === "file" || el.type === "submit" || el.type === "button" ||
      el.name === "csrfmiddlewaretoken";
  }

  function collect(pending) {
    var data = { fields: {}, checked: {}, savedAt: Date.now(), pending: !!pending,
                 version: form.getAttribute("data-record-version") };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skip(el)) return;
      if (el.type === "checkbox" || el.type === "radio") data.checked[el.name + "=" + el.value] = el.checked;
      else data.fields[el.name] = el.value;
    });
    return data;
  }

  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skip(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        if (Object.prototype.hasOwnProperty.call(data.checked, k)) el.checked = data.checked[k];
      } else if (Object.prototype.hasOwnProperty.call(data.fields, el.name)) {
        el.value = data.fields[el.name];
      }
    });
  }

  function load() {
    if (!storage || !key) return null;
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save(pending) {
    if (!storage || !key) return;
    var data = collect(pending);
    try {
      storage.setItem(key, JSON.stringify(data));
      setStatus((pending ? "待提交，" : "") + "草稿已保存在本机 " + clock(data.savedAt));
    } catch (e) {
      setStatus("本机存储空间不足，草稿未能保存");
    }
  }

  var timer = null;
  function saveSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, 400);
  }

  // ---- signature pad ------------------------------------------------------------------------------------
  var drawing = false;
  var ctx = canvas ? canvas.getContext("2d") : null;

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * canvas.width / rect.width,
             y: (event.clientY - rect.top) * canvas.height / rect.height };
  }

  function showSignature(dataUrl) {
    if (!ctx || !dataUrl) return;
    var image = new Image();
    image.onload = function () { ctx.clearRect(0, 0, canvas.width, canvas.height); ctx.drawImage(image, 0, 0); };
    image.src = dataUrl;
  }

  if (ctx) {
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    var finish = function () {
      if (!drawing) return;
      drawing = false;
      signatureInput.value = canvas.toDataURL("image/png");
      save(false);
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    var clearButton = form.querySelector('[data-action="clear-signature"]');
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        signatureInput.value = "";
        save(false);
      });
    }
  }

  // ---- signature kind panels ----------------------------------------------------------------------------
  var panels = form.querySelectorAll("[data-signature-panel]");
  function showPanels() {
    var chosen = form.querySelector('input[name="signature_kind"]:checked');
    var kind = chosen ? chosen.value : "";
    Array.prototype.forEach.call(panels, function (panel) {
      panel.hidden = panel.getAttribute("data-signature-panel") !== kind;
    });
  }
  form.querySelectorAll('input[name="signature_kind"]').forEach(function (radio) {
    radio.addEventListener("change", showPanels);
  });

  // ---- result codes: an exclusive code (未发现问题) stands alone ----------------------------------------------
  form.querySelectorAll('input[name="codes"]').forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) return;
      form.querySelectorAll('input[name="codes"]').forEach(function (other) {
        if (other === box) return;
        if (box.getAttribute("data-exclusive") || other.getAttribute("data-exclusive")) other.checked = false;
      });
    });
  });

  // ---- restore the draft --------------------------------------------------------------------------------
  var draft = load();
  if (draft) {
    apply(draft);
    if (draftBanner) {
      draftBanner.hidden = false;
      var text = draftBanner.querySelector('[data-role="text"]');
      if (text) text.textContent = "已恢复本机保存的草稿（" + new Date(draft.savedAt).toLocaleString("zh-CN") + "），请核对后提交。";
    }
  }
  if (clientIdInput && !clientIdInput.value) clientIdInput.value = newId();
  showPanels();
  showSignature(signatureInput ? signatureInput.value : "");
  // The page was served, so the server is reachable: an earlier queued submission is now shown for review.
  save(false);

  var discard = form.querySelector('[data-action="discard-draft"]');
  if (discard) {
    discard.addEventListener("click", function () {
      if (storage) storage.removeItem(key);
      window.location.reload();
    });
  }

  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);

  // ---- submit, or queue while offline -------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    save(true); // kept until the server has accepted it (the record page then clears the draft)
    if (!navigator.onLine) {
      event.preventDefault();
      if (offlineBanner) offlineBanner.hidden = false;
      setStatus("离线：已保存，恢复联网后自动提交");
      return;
    }
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
    setStatus("正在提交…");
  });

  window.addEventListener("offline", function () {
    if (offlineBanner) offlineBanner.hidden = false;
  });
  window.addEventListener("online", function () {
    if (offlineBanner) offlineBanner.hidden = true;
    var current = load();
    if (current && current.pending && !submitting) {
      setStatus("已恢复联网，正在提交…");
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
})();
