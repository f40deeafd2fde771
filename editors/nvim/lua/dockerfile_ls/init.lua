-- dockerfile-ls client for Neovim 0.7 and later.
--
-- `require('dockerfile_ls').setup(opts)` starts the server for every `dockerfile` buffer:
-- with `vim.lsp.start_client` + `vim.lsp.buf_attach_client` on 0.7, `vim.lsp.start` on 0.8-0.10,
-- and through `vim.lsp.config` + `vim.lsp.enable` (lsp/dockerfile_ls.lua) on 0.11+.
-- `register()` (run by plugin/dockerfile_ls.lua) adds what every version needs: filetype
-- detection for `*.dockerfile` / `Containerfile*` where Neovim lacks it, `:DockerfileStageGraph`,
-- and client-side handlers for the server's code-lens commands.
--
-- All intelligence stays in the server; this file only moves data between it and the editor.
local M = {}

M.name = 'dockerfile_ls'

M.defaults = {
  cmd = { 'dockerfile-ls' },
  filetypes = { 'dockerfile' },
  root_markers = {
    'Dockerfile',
    'Containerfile',
    'compose.yaml',
    'compose.yml',
    'docker-compose.yaml',
    'docker-compose.yml',
    'docker-bake.hcl',
    '.git',
  },
  -- the server's settings (docs/editors.md lists the keys), e.g.
  -- { target = 'release', diagnostics = { rules = { MaintainerDeprecated = 'off' } } }
  settings = {},
  -- refresh code lenses on attach, BufEnter and InsertLeave
  codelens = true,
}

local uv = vim.loop

local function has(feature)
  return vim.fn.has(feature) == 1
end

local function notify(msg, level)
  vim.notify('dockerfile-ls: ' .. msg, level or vim.log.levels.INFO)
end

--- The directory holding one of `markers`, searching upward from `path`'s directory; else that
--- directory. Works on 0.7 (no vim.fs).
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local start = dir
  while dir and dir ~= '' do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

local function buf_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == M.name then
      table.insert(out, c)
    end
  end
  return out
end

--- The dockerfile-ls client attached to `bufnr`, or nil.
function M.client(bufnr)
  return buf_clients(bufnr or vim.api.nvim_get_current_buf())[1]
end

local function refresh_codelens(bufnr)
  if vim.lsp.codelens.enable then -- 0.12+: lenses are kept current by the client
    vim.lsp.codelens.enable(true, { bufnr = bufnr })
  elseif has('nvim-0.10') then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    vim.lsp.codelens.refresh() -- 0.7-0.9: current buffer only
  end
end

--- Called when the client attaches to `bufnr`: wires code-lens display and refresh.
function M.on_attach(client, bufnr)
  local caps = client.server_capabilities or {}
  if M.options.codelens == false or not caps.codeLensProvider then
    return
  end
  refresh_codelens(bufnr)
  if not vim.lsp.codelens.enable then
    local group = vim.api.nvim_create_augroup('dockerfile_ls_codelens_' .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      buffer = bufnr,
      callback = function()
        if M.client(bufnr) then
          refresh_codelens(bufnr)
        end
      end,
    })
  end
end

-- settings -> what the server reads from initializationOptions (nil when empty: `{}` would be
-- sent as a JSON array)
local function init_options(settings)
  if settings == nil or next(settings) == nil then
    return nil
  end
  return settings
end

local function client_config(opts, root_dir)
  local user_on_attach = opts.on_attach
  return {
    name = M.name,
    cmd = opts.cmd,
    root_dir = root_dir,
    capabilities = opts.capabilities,
    init_options = init_options(opts.settings),
    settings = { ['dockerfile-ls'] = next(opts.settings) and opts.settings or vim.empty_dict() },
    handlers = opts.handlers,
    flags = opts.flags,
    on_exit = opts.on_exit,
    on_attach = function(client, bufnr)
      M.on_attach(client, bufnr)
      if user_on_attach then
        user_on_attach(client, bufnr)
      end
    end,
  }
end

M.options = vim.deepcopy(M.defaults)

-- 0.7: one client per root, found and reused by hand (no vim.lsp.start)
local started = {}

local function start(bufnr)
  local opts = M.options
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  local root = M.find_root(name ~= '' and name or vim.fn.getcwd() .. '/Dockerfile', opts.root_markers)
  if vim.lsp.start then
    vim.lsp.start(client_config(opts, root), { bufnr = bufnr })
    return
  end
  local id = started[root]
  if not id or vim.lsp.client_is_stopped(id) then
    if vim.fn.executable(opts.cmd[1]) ~= 1 then
      notify(
        ('`%s` not found: build it (`cargo build --release`) and put it on PATH, or pass `cmd`'):format(opts.cmd[1]),
        vim.log.levels.ERROR
      )
      return
    end
    id = vim.lsp.start_client(client_config(opts, root))
    if not id then
      return
    end
    started[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Starts dockerfile-ls for dockerfile buffers. `opts` overrides `M.defaults`.
function M.setup(opts)
  opts = opts or {}
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  for _, list in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[list] then -- lists replace the default, never merge with it by index
      M.options[list] = opts[list]
    end
  end
  M.register()
  if vim.lsp.config and vim.lsp.enable then
    -- 0.11+: lsp/dockerfile_ls.lua is the base config; layer the options on top of it
    local cfg = { cmd = M.options.cmd, filetypes = M.options.filetypes, root_markers = M.options.root_markers }
    cfg.settings = { ['dockerfile-ls'] = next(M.options.settings) and M.options.settings or vim.empty_dict() }
    for _, key in ipairs({ 'capabilities', 'handlers', 'flags', 'on_exit' }) do
      cfg[key] = M.options[key]
    end
    if M.options.on_attach then
      local user_on_attach = M.options.on_attach
      cfg.on_attach = function(client, bufnr)
        M.on_attach(client, bufnr)
        user_on_attach(client, bufnr)
      end
    end
    vim.lsp.config(M.name, cfg)
    vim.lsp.enable(M.name)
    return
  end
  local group = vim.api.nvim_create_augroup('dockerfile_ls_start', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.options.filetypes,
    callback = function(args)
      start(args.buf)
    end,
  })
  -- buffers already open when setup() runs
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

-- Filetype detection Neovim lacks: 0.7-0.8 miss `*.dockerfile`, `dockerfile`, `*.containerfile`.
local function detect_filetypes()
  if has('nvim-0.9') then
    vim.filetype.add({
      extension = { dockerfile = 'dockerfile', containerfile = 'dockerfile' },
      filename = { dockerfile = 'dockerfile', containerfile = 'dockerfile' },
      pattern = { ['[Cc]ontainerfile%..*'] = 'dockerfile', ['[Dd]ockerfile%..*'] = 'dockerfile' },
    })
    return
  end
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    group = vim.api.nvim_create_augroup('dockerfile_ls_filetype', { clear = true }),
    pattern = { '*.dockerfile', 'dockerfile', '*.containerfile', 'containerfile', 'Containerfile*', 'Dockerfile*' },
    command = 'setfiletype dockerfile',
  })
end

local function request_sync(client, method, params, bufnr)
  local res, err
  if has('nvim-0.11') then
    res, err = client:request_sync(method, params, 5000, bufnr)
  else
    res, err = client.request_sync(method, params, 5000, bufnr)
  end
  if not res then
    return nil, tostring(err)
  end
  if res.err then
    return nil, res.err.message or vim.inspect(res.err)
  end
  return res.result
end

--- Puts `locations` (LSP Location[]) into the quickfix list and opens it.
function M.show_locations(locations, title, offset_encoding)
  local items = vim.lsp.util.locations_to_items(locations, offset_encoding or 'utf-16')
  vim.fn.setqflist({}, ' ', { title = title, items = items })
  vim.cmd('copen')
  return items
end

local function encoding_of(client)
  return client.offset_encoding or 'utf-16'
end

--- Client side of `dockerfile-ls.stageReferences` (args `[uri, stageIndex]`): the server answers
--- `workspace/executeCommand` with the locations; show them in the quickfix list.
local function stage_references(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local result, err = request_sync(client, 'workspace/executeCommand', {
    command = command.command,
    arguments = command.arguments,
  }, ctx.bufnr)
  if err then
    notify('stage references failed: ' .. err, vim.log.levels.ERROR)
    return
  end
  if not result or #result == 0 then
    notify('no references to this stage')
    return
  end
  M.show_locations(result, 'stage references', encoding_of(client))
end

--- Opens `text` in a scratch split named after `title`.
function M.open_scratch(lines, title)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, title)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'dockerfile-ls-graph'
  vim.api.nvim_win_set_height(0, math.min(math.max(#lines, 3), math.floor(vim.o.lines / 2)))
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true })
  return buf
end

--- The stage graph of `bufnr` as text (the `dockerfile-ls/stageGraph` request), or nil, error.
function M.stage_graph(bufnr, target)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if not client then
    return nil, 'no dockerfile-ls client attached to this buffer'
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, format = 'text' }
  if target and target ~= '' then
    params.target = target
  end
  local result, err = request_sync(client, 'dockerfile-ls/stageGraph', params, bufnr)
  if err then
    return nil, err
  end
  if type(result) ~= 'table' or type(result.rendered) ~= 'string' then
    return nil, 'the server returned no rendered graph'
  end
  return result.rendered
end

--- `:DockerfileStageGraph [target]`: the text graph of the current buffer in a split.
function M.show_stage_graph(target, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local text, err = M.stage_graph(bufnr, target)
  if not text then
    notify(err, vim.log.levels.ERROR)
    return nil
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  return M.open_scratch(vim.split(text, '\n', { trimempty = true }), 'stage graph: ' .. name)
end

--- Client side of `dockerfile-ls.stageGraph` (args `[uri, format?]`): the text graph in a split.
local function stage_graph_command(command, ctx)
  local uri = command.arguments and command.arguments[1]
  local bufnr = uri and vim.uri_to_bufnr(uri) or ctx.bufnr
  M.show_stage_graph(nil, bufnr)
end

local registered = false

--- Filetype detection, user command and command handlers; idempotent.
function M.register()
  if registered then
    return
  end
  registered = true
  detect_filetypes()
  vim.lsp.commands['dockerfile-ls.stageReferences'] = stage_references
  vim.lsp.commands['dockerfile-ls.stageGraph'] = stage_graph_command
  vim.api.nvim_create_user_command('DockerfileStageGraph', function(args)
    M.show_stage_graph(args.args)
  end, { nargs = '?', desc = 'dockerfile-ls: show the stage graph of this Dockerfile in a split' })
end

return M
