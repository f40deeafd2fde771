-- dockerfile-ls plugin entry: filetype detection Neovim lacks, :DockerfileStageGraph, and the
-- client side of the server's code-lens commands. Starting the client is left to
-- `vim.lsp.enable('dockerfile_ls')` (0.11+) or `require('dockerfile_ls').setup()` (0.7-0.10).
if vim.g.loaded_dockerfile_ls then
  return
end
vim.g.loaded_dockerfile_ls = true

require('dockerfile_ls').register()
