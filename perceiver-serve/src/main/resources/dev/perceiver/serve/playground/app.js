'use strict';
// The playground: lists the served models and runs each task through POST /v1/models/{id}.

const $ = (id) => document.getElementById(id);

function showError(message) {
  const e = $('error');
  e.textContent = message || '';
  e.hidden = !message;
}

async function post(model, body) {
  const response = await fetch('/v1/models/' + encodeURIComponent(model), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(response.status + ': ' + json.error);
  }
  return json;
}

/** Rows of label, bar and score into a container. */
function bars(container, rows) {
  for (const row of rows) {
    const div = document.createElement('div');
    div.className = 'bar-row';
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = row.label;
    const track = document.createElement('div');
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = (100 * row.score).toFixed(1) + '%';
    track.appendChild(bar);
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = row.score.toFixed(4);
    div.append(label, track, score);
    container.appendChild(div);
  }
}

function run(button, task) {
  $(button).addEventListener('click', async () => {
    showError('');
    $(button).disabled = true;
    try {
      await task();
    } catch (e) {
      showError(e.message);
    } finally {
      $(button).disabled = false;
    }
  });
}

run('fm-run', async () => {
  const result = await post($('fm-model').value, {
    inputs: $('fm-text').value,
    parameters: { top_k: Number($('fm-topk').value) },
  });
  const out = $('fm-result');
  out.replaceChildren();
  const filled = document.createElement('p');
  filled.className = 'filled';
  filled.textContent = result.filled_texts[0];
  out.appendChild(filled);
  for (const mask of result.masks) {
    const block = document.createElement('div');
    block.className = 'mask';
    const title = document.createElement('h3');
    title.textContent = 'position ' + mask.position;
    block.appendChild(title);
    bars(block, mask.candidates.map((c) => ({ label: JSON.stringify(c.token), score: c.score })));
    out.appendChild(block);
  }
});

run('ct-run', async () => {
  const result = await post($('ct-model').value, { inputs: $('ct-text').value });
  $('ct-result').replaceChildren();
  bars($('ct-result'), result.labels);
});

$('ci-file').addEventListener('change', () => {
  const file = $('ci-file').files[0];
  if (file) {
    $('ci-preview').src = URL.createObjectURL(file);
    $('ci-preview').hidden = false;
  }
});

run('ci-run', async () => {
  const file = $('ci-file').files[0];
  if (!file) {
    throw new Error('choose an image file first');
  }
  const form = new FormData();
  form.append('inputs', file, file.name);
  const response = await fetch('/v1/models/' + encodeURIComponent($('ci-model').value), { method: 'POST', body: form });
  const result = await response.json();
  if (!response.ok) {
    throw new Error(response.status + ': ' + result.error);
  }
  $('ci-result').replaceChildren();
  bars($('ci-result'), result.labels);
});

run('gen-run', async () => {
  const parameters = { max_new_tokens: Number($('gen-max').value) };
  if ($('gen-sample').checked) {
    parameters.temperature = Number($('gen-temperature').value);
    parameters.top_k = Number($('gen-topk').value);
    parameters.top_p = Number($('gen-topp').value);
    parameters.seed = Number($('gen-seed').value);
  }
  $('gen-prompt-echo').textContent = $('gen-prompt').value;
  $('gen-text').textContent = '';
  $('gen-status').textContent = 'generating...';
  const response = await fetch('/v1/models/' + encodeURIComponent($('gen-model').value), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs: $('gen-prompt').value, parameters, stream: true }),
  });
  if (!response.ok) {
    const json = await response.json();
    $('gen-status').textContent = '';
    throw new Error(response.status + ': ' + json.error);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let tokens = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)[1]);
      if (event === 'token') {
        tokens++;
        $('gen-text').textContent += data.text;
      } else if (event === 'result') {
        $('gen-text').textContent = data.generated_text;
        $('gen-status').textContent = 'done: ' + data.tokens.length + ' tokens, ' + data.strategy
          + (data.stopped_at_eos ? ', stopped at EOS' : '') + ' (' + tokens + ' streamed)';
      } else if (event === 'error') {
        throw new Error(data.error);
      }
    }
  }
});

async function loadModels() {
  const response = await fetch('/v1/models');
  const models = await response.json();
  const list = $('models');
  for (const m of models) {
    const li = document.createElement('li');
    li.textContent = m.id + ' (' + m.task + ', ' + m.model_type + ', ' + m.parameters.toLocaleString('en') + ' parameters)';
    list.appendChild(li);
  }
  for (const section of document.querySelectorAll('section[data-task]')) {
    const select = section.querySelector('select.model');
    for (const m of models.filter((x) => x.task === section.dataset.task)) {
      const option = document.createElement('option');
      option.value = m.id;
      option.textContent = m.id;
      select.appendChild(option);
    }
    section.hidden = select.options.length === 0;
  }
  document.body.dataset.ready = 'true';
}

loadModels().catch((e) => showError(e.message));
