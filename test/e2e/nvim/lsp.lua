-- Neovim (0.7+) as a second LSP client of the bundled server, headless:
--
--   PULLGUARD_SERVER=dist/server.js PULLGUARD_WORKSPACE=<copy of examples> \
--     nvim --headless --clean -c "luafile test/e2e/nvim/lsp.lua"
--
-- Starts `node $PULLGUARD_SERVER --stdio` with the workspace as root, opens the pipeline,
-- the runner config.toml and the config.json, and checks pushed diagnostics (with codes,
-- exact ranges and one cross-file finding), hovers (an image; an auths entry with the
-- password masked) and, when the server advertises code actions, a quick fix applied to
-- the buffer. Prints one `PASS title`, `FAIL title :: why` or `PENDING title :: why` line per
-- check and exits non-zero when any check failed.

local TIMEOUT_MS = 20000
local server = os.getenv('PULLGUARD_SERVER')
local root = os.getenv('PULLGUARD_WORKSPACE')
local failures = 0
--- The diagnostics as the server published them, by URI (neovim's own copy drops `code` details).
local published = {}

local function out(line)
  io.stdout:write(line .. '\n')
end

local function check(title, body)
  local ok, err = pcall(body)
  if ok then
    out('PASS ' .. title)
  else
    failures = failures + 1
    out('FAIL ' .. title .. ' :: ' .. tostring(err):gsub('\n', ' | '))
  end
end

local function pending(title, why)
  out('PENDING ' .. title .. ' :: ' .. why)
end

local function open(relative)
  local bufnr = vim.fn.bufadd(root .. '/' .. relative)
  vim.fn.bufload(bufnr)
  return bufnr
end

--- The 0-based line and character of the first `needle` (plain text) in the buffer.
local function position_of(bufnr, needle)
  for index, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local at = string.find(line, needle, 1, true)
    if at then
      return index - 1, at - 1
    end
  end
  error('the buffer has no ' .. needle)
end

--- The LSP diagnostics the server last published for the buffer.
local function lsp_diagnostics(bufnr)
  return published[vim.uri_from_bufnr(bufnr)] or {}
end

local function find_diagnostic(bufnr, code, needle)
  local line, character = position_of(bufnr, needle)
  for _, d in ipairs(lsp_diagnostics(bufnr)) do
    local r = d.range
    if d.code == code and r.start.line == line and r.start.character == character
      and r['end'].line == line and r['end'].character == character + #needle then
      return d
    end
  end
  return nil
end

local function describe(bufnr)
  local lines = {}
  for _, d in ipairs(lsp_diagnostics(bufnr)) do
    table.insert(lines, string.format('%s %d:%d', tostring(d.code), d.range.start.line, d.range.start.character))
  end
  return table.concat(lines, ', ')
end

local function expect_diagnostic(bufnr, code, needle)
  local found = vim.wait(TIMEOUT_MS, function() return find_diagnostic(bufnr, code, needle) ~= nil end, 50)
  if not found then
    error(string.format('no %s on `%s` within %d ms; the buffer has: %s', code, needle, TIMEOUT_MS, describe(bufnr)))
  end
  local d = find_diagnostic(bufnr, code, needle)
  assert(d.source == 'pullguard', 'source is ' .. tostring(d.source))
  assert(d.codeDescription and d.codeDescription.href:match('/docs/rules/' .. code:gsub('%-', '%%-') .. '%.md$'),
    'no rule link on ' .. code)
end

local function hover(bufnr, needle)
  local line, character = position_of(bufnr, needle)
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = { line = line, character = character + 1 },
  }, TIMEOUT_MS)
  for _, response in pairs(responses or {}) do
    if response.result and response.result.contents then
      return response.result.contents.value or ''
    end
  end
  error('no hover on ' .. needle)
end

local function contains(text, part)
  assert(string.find(text, part, 1, true), string.format('`%s` is not in: %s', part, text:gsub('\n', ' ')))
end

local ok, err = pcall(function()
  assert(server and root, 'set PULLGUARD_SERVER and PULLGUARD_WORKSPACE')
  local pipeline = open('.gitlab-ci.yml')
  local runner = open('gitlab-runner/config.toml')
  local docker = open('.docker/config.json')
  local client_id = vim.lsp.start_client({
    name = 'pullguard',
    -- As the README tells other editors to start it (one V8 helper thread per spare core).
    cmd = { 'node', '--v8-pool-size=1', server, '--stdio' },
    root_dir = root,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[result.uri] = result.diagnostics
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
    },
  })
  assert(client_id, 'the server did not start')
  for _, bufnr in ipairs({ pipeline, runner, docker }) do
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(TIMEOUT_MS, function() return client.initialized end, 50), 'the server did not initialize')

  check('diagnostics on .gitlab-ci.yml with code and exact range', function()
    expect_diagnostic(pipeline, 'image/uppercase-repository', 'Acme')
    expect_diagnostic(pipeline, 'image/port-as-tag', 'registry.example.com:5000')
    expect_diagnostic(pipeline, 'image/script-variable', '$DEPLOY_TOOL')
  end)
  check('a cross-file diagnostic, the runner service alias colliding with the pipeline one', function()
    local line, character = position_of(pipeline, 'alias: db')
    local found = vim.wait(TIMEOUT_MS, function()
      for _, d in ipairs(lsp_diagnostics(pipeline)) do
        if d.code == 'service/alias-collision' and d.range.start.line == line and d.range.start.character == character + 7 then
          return true
        end
      end
      return false
    end, 50)
    assert(found, 'no service/alias-collision on `db`; the buffer has: ' .. describe(pipeline))
  end)
  check('diagnostics on the runner config.toml', function()
    expect_diagnostic(runner, 'image/uppercase-repository', 'Redis')
    expect_diagnostic(runner, 'runner/network-mode-conflict', '"bridge"')
  end)
  check('diagnostics on the Docker config.json', function()
    expect_diagnostic(docker, 'auth/docker-hub-key', '"index.docker.io"')
  end)
  check('hover on an image explains it', function()
    local text = hover(pipeline, 'node:$NODE_VERSION-alpine')
    contains(text, '**Image** `node:$NODE_VERSION-alpine`')
    contains(text, '| Full name | `docker.io/library/node:20.17-alpine` |')
  end)
  check('hover on an auths entry masks the password', function()
    local text = hover(docker, '"registry.example.com:5000"')
    contains(text, '| Username | `ci-user` |')
    contains(text, '| Password | •••• (16 characters) |')
    assert(not string.find(text, 'example-password', 1, true), 'the password is shown')
  end)

  local quick_fix = 'a quick fix for image/uppercase-repository lowercases the repository'
  if not client.server_capabilities.codeActionProvider then
    pending(quick_fix, 'the server does not advertise codeActionProvider yet')
  else
    check(quick_fix, function()
      local d = find_diagnostic(pipeline, 'image/uppercase-repository', 'Acme')
      assert(d, 'no image/uppercase-repository to fix')
      local responses = vim.lsp.buf_request_sync(pipeline, 'textDocument/codeAction', {
        textDocument = vim.lsp.util.make_text_document_params(pipeline),
        range = d.range,
        context = { diagnostics = { d }, only = { 'quickfix' } },
      }, TIMEOUT_MS)
      local action
      for _, response in pairs(responses or {}) do
        for _, candidate in ipairs(response.result or {}) do
          if candidate.edit and (action == nil or candidate.isPreferred) then
            action = candidate
          end
        end
      end
      assert(action, 'no quick fix with an edit was offered')
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
      local line = position_of(pipeline, 'lint:2.1')
      local text = vim.api.nvim_buf_get_lines(pipeline, line, line + 1, false)[1]
      contains(text, 'registry.gitlab.com/acme/tools/lint:2.1')
      assert(vim.wait(TIMEOUT_MS, function()
        for _, x in ipairs(lsp_diagnostics(pipeline)) do
          if x.code == 'image/uppercase-repository' then return false end
        end
        return true
      end, 50), 'image/uppercase-repository is still there after the fix')
      out('ACTION ' .. action.title)
    end)
  end

  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end)

if not ok then
  failures = failures + 1
  out('FAIL the neovim session :: ' .. tostring(err))
end
if failures > 0 then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
