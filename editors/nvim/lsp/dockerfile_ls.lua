-- dockerfile-ls for Neovim 0.11+: `vim.lsp.enable('dockerfile_ls')` starts it for Dockerfiles.
-- Override any field with `vim.lsp.config('dockerfile_ls', { ... })`, e.g. `settings`.
-- This file only declares the client; the commands, filetype detection and code-lens refresh
-- live in plugin/dockerfile_ls.lua and lua/dockerfile_ls/ of the same plugin folder.
---@type vim.lsp.Config
return {
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
  -- answered to workspace/configuration (section "dockerfile-ls"); keys as in docs/editors.md
  settings = { ['dockerfile-ls'] = vim.empty_dict() },
  before_init = function(params, config)
    -- the server reads its settings from initializationOptions too (before any request);
    -- an empty table would go out as a JSON array, so send nothing then
    local settings = (config.settings or {})['dockerfile-ls']
    if type(settings) == 'table' and next(settings) ~= nil then
      params.initializationOptions = settings
    end
  end,
  on_attach = function(client, bufnr)
    local ok, plugin = pcall(require, 'dockerfile_ls')
    if ok then
      plugin.on_attach(client, bufnr)
    end
  end,
}
