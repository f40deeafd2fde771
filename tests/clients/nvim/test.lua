-- Headless Neovim end-to-end test of editors/nvim against the real dockerfile-ls binary.
--   LSP_TEST_FILE=app.dockerfile LSP_TEST_OUT=result.json \
--     nvim --headless -i NONE -u init-07.lua (or init-011.lua) -c 'luafile test.lua'
-- Exit status 0 = every check passed; 1 = one failed (the JSON says which). Every wait has a
-- timeout, and any Lua error ends Neovim (an uncaught error in -c would wait for input forever).
local out_path = assert(vim.env.LSP_TEST_OUT, 'LSP_TEST_OUT not set')
local file = assert(vim.env.LSP_TEST_FILE, 'LSP_TEST_FILE not set')
local T = tonumber(vim.env.LSP_TEST_TIMEOUT_MS or '10000')
local uv = vim.loop
local t0 = uv.hrtime()
local function ms()
  return math.floor((uv.hrtime() - t0) / 1e6)
end
local R = { file = file, checks = {}, skipped = {}, timings_ms = {} }
local v = vim.version()
R.nvim = ('%d.%d.%d'):format(v.major, v.minor, v.patch)

local function finish(ok, err)
  R.ok, R.error, R.timings_ms.total = ok, err, ms()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.json.encode(R))
  f:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

local function check(cond, msg)
  if not cond then
    error(msg, 2)
  end
end

local function passed(what)
  table.insert(R.checks, what)
end

local function skipped(what)
  table.insert(R.skipped, what)
end

local function wait(what, cond)
  check(vim.wait(T, cond, 10), 'timed out after ' .. T .. ' ms waiting for ' .. what)
end

-- count publishDiagnostics per URI, so "none yet" and "published, empty" can be told apart
local published = {}
local orig_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, res, ctx, cfg)
  published[res.uri] = (published[res.uri] or 0) + 1
  return orig_publish(err, res, ctx, cfg)
end

local function lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

-- 0-based {line, character} of the first `needle` at or after line `from` (+ `off` bytes);
-- the fixture is ASCII, so bytes are UTF-16 code units too
local function pos_of(bufnr, needle, off, from)
  for i, line in ipairs(lines(bufnr)) do
    if i - 1 >= (from or 0) then
      local s = line:find(needle, 1, true)
      if s then
        return { line = i - 1, character = s - 1 + (off or 0) }
      end
    end
  end
  error('not in the buffer: ' .. needle)
end

local function request(bufnr, method, params)
  local res, err = vim.lsp.buf_request_sync(bufnr, method, params, T)
  check(res, method .. ' failed: ' .. tostring(err))
  local _, r = next(res)
  check(r and not r.err and not r.error, method .. ' error: ' .. vim.inspect(r))
  return r.result
end

local function count(haystack, needle)
  local n, at = 0, 1
  while true do
    local s, e = haystack:find(needle, at, true)
    if not s then
      return n
    end
    n, at = n + 1, e + 1
  end
end

local function main()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo[bufnr].filetype == 'dockerfile', 'filetype of ' .. file .. ': ' .. vim.bo[bufnr].filetype)
  passed('filetype dockerfile detected for ' .. vim.fn.fnamemodify(file, ':t'))
  local uri = vim.uri_from_bufnr(bufnr)

  local plugin = require('dockerfile_ls')
  local client
  wait('a dockerfile_ls client to attach and initialize', function()
    client = plugin.client(bufnr)
    return client and client.initialized
  end)
  R.timings_ms.initialized = ms()
  local caps = client.server_capabilities or {}
  passed('client attached and initialized')

  -- 1. diagnostics: the duplicate stage name `tools`
  wait('publishDiagnostics', function()
    return (published[uri] or 0) > 0
  end)
  R.timings_ms.diagnostics = ms()
  local dup_line = pos_of(bufnr, 'AS tools', 0, pos_of(bufnr, 'AS tools').line + 1).line
  local found
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.lnum == dup_line and d.severity == vim.diagnostic.severity.ERROR and d.message:find('tools', 1, true) then
      found = d
    end
  end
  R.diagnostics = vim.tbl_map(function(d)
    return { lnum = d.lnum, col = d.col, severity = d.severity, message = d.message, code = d.code }
  end, vim.diagnostic.get(bufnr))
  check(found, 'no error diagnostic for the duplicate stage `tools` on line ' .. dup_line)
  passed(('diagnostics: error on line %d: %s'):format(dup_line + 1, found.message))

  -- 2. go to definition through the client's own handler: --from=builder -> AS builder
  local use = pos_of(bufnr, '--from=builder', #'--from=')
  vim.api.nvim_win_set_cursor(0, { use.line + 1, use.character + 2 })
  vim.lsp.buf.definition()
  local decl = pos_of(bufnr, 'AS builder', #'AS ')
  wait('definition to move the cursor', function()
    local c = vim.api.nvim_win_get_cursor(0)
    return c[1] == decl.line + 1 and c[2] == decl.character
  end)
  R.timings_ms.definition = ms()
  passed(('definition: --from=builder (line %d) -> AS builder (line %d, col %d)'):format(
    use.line + 1, decl.line + 1, decl.character + 1))

  -- 3. completion after a typed `COPY --from=` (a real didChange first) lists the stages
  local n = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, n, n, false, { 'COPY --from=' })
  local comp = request(bufnr, 'textDocument/completion', {
    textDocument = { uri = uri },
    position = { line = n, character = #'COPY --from=' },
    context = { triggerKind = 2, triggerCharacter = '=' },
  })
  local items = comp and (comp.items or comp) or {}
  local labels = {}
  for _, item in ipairs(items) do
    labels[item.label] = true
  end
  R.completion = vim.tbl_keys(labels)
  check(labels.builder and labels.tools, 'completion after --from= lacks the stages: ' .. vim.inspect(R.completion))
  passed('completion after --from= lists the stages: ' .. table.concat(vim.fn.sort(vim.tbl_keys(labels)), ', '))
  vim.api.nvim_buf_set_lines(bufnr, n, n + 1, false, {})
  R.timings_ms.completion = ms()

  -- 4. rename through the client's own handler: builder -> compiler, every use
  local before = table.concat(lines(bufnr), '\n')
  local uses = count(before, 'builder')
  check(uses == 3, 'fixture should use `builder` 3 times, found ' .. uses)
  vim.api.nvim_win_set_cursor(0, { decl.line + 1, decl.character })
  vim.lsp.buf.rename('compiler')
  wait('rename to edit the buffer', function()
    return count(table.concat(lines(bufnr), '\n'), 'compiler') > 0
  end)
  local after = table.concat(lines(bufnr), '\n')
  check(count(after, 'builder') == 0 and count(after, 'compiler') == uses,
    'rename left: ' .. after)
  R.timings_ms.rename = ms()
  passed(('rename: builder -> compiler at all %d places'):format(uses))

  -- 5. code lenses (only when the server advertises them)
  if caps.codeLensProvider then
    local lenses
    wait('code lenses', function()
      lenses = vim.lsp.codelens.get(bufnr)
      return lenses and #lenses > 0
    end)
    local from_lines = {}
    for i, l in ipairs(lines(bufnr)) do
      if l:match('^FROM ') then
        from_lines[i - 1] = true
      end
    end
    -- the renamed stage's FROM line (`AS compiler`): declaration + 2 uses
    local stage_line = pos_of(bufnr, 'AS compiler').line
    local on_from, refs = 0, nil
    for _, lens in ipairs(lenses) do
      if from_lines[lens.range.start.line] then
        on_from = on_from + 1
      end
      if lens.command and lens.command.command == 'dockerfile-ls.stageReferences'
          and lens.range.start.line == stage_line then
        refs = lens
      end
    end
    check(on_from > 0, 'no code lens on a FROM line: ' .. vim.inspect(lenses))
    passed(('code lenses: %d, %d on FROM lines'):format(#lenses, on_from))
    R.timings_ms.codelens = ms()
    if refs then
      -- what running the lens does: the plugin's handler asks the server, fills the quickfix list
      vim.fn.setqflist({}, 'r', { title = 'none', items = {} })
      vim.lsp.commands['dockerfile-ls.stageReferences'](refs.command, { bufnr = bufnr, client_id = client.id })
      local qf = vim.fn.getqflist()
      local qf_lines = vim.tbl_map(function(item)
        return item.lnum
      end, qf)
      table.sort(qf_lines)
      check(vim.deep_equal(qf_lines, { stage_line + 1, use.line + 1, use.line + 2 }),
        'stageReferences quickfix lines: ' .. vim.inspect(qf_lines))
      vim.cmd('cclose')
      passed(('code lens dockerfile-ls.stageReferences on `AS compiler` -> quickfix list, lines %s'):format(
        table.concat(qf_lines, ', ')))
    else
      error('no dockerfile-ls.stageReferences code lens on line ' .. (stage_line + 1))
    end
  else
    skipped('server has no code lenses')
  end

  -- 6. :DockerfileStageGraph (only when the server offers the stage graph)
  local cmds = (caps.executeCommandProvider or {}).commands or {}
  if vim.tbl_contains(cmds, 'dockerfile-ls.stageGraph') then
    local win = vim.api.nvim_get_current_win()
    vim.cmd('DockerfileStageGraph')
    local gbuf = vim.api.nvim_get_current_buf()
    check(gbuf ~= bufnr, ':DockerfileStageGraph opened no split')
    local text = table.concat(lines(gbuf), '\n')
    check(text:find('compiler', 1, true) and text:find('tools', 1, true),
      'stage graph lacks the stages: ' .. text)
    vim.cmd('close')
    vim.api.nvim_set_current_win(win)
    passed(('stage graph: :DockerfileStageGraph shows %d lines naming the stages'):format(#vim.split(text, '\n')))
  else
    skipped('server has no dockerfile-ls.stageGraph command')
  end

  -- 7. shutdown + exit: the server must exit with status 0
  vim.lsp.stop_client(client.id)
  wait('the server to exit', function()
    return DOCKERFILE_LS_TEST.exits[client.id] ~= nil
  end)
  R.server_exit = DOCKERFILE_LS_TEST.exits[client.id]
  check(R.server_exit.code == 0 and R.server_exit.signal == 0,
    'server exit: ' .. vim.inspect(R.server_exit))
  R.timings_ms.exited = ms()
  passed('server exited with status 0 after shutdown')
end

local ok, err = xpcall(main, debug.traceback)
finish(ok, not ok and err or nil)
