-- Test config for Neovim 0.11+: the plugin folder editors/nvim on 'runtimepath' and its
-- lsp/dockerfile_ls.lua enabled as the README says, with `dockerfile-ls` found on PATH.
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.opt.runtimepath:prepend(vim.env.DOCKERFILE_LS_NVIM_PLUGIN)
_G.DOCKERFILE_LS_TEST = { exits = {} }
-- test hook only (merged into lsp/dockerfile_ls.lua): record the server's exit status
vim.lsp.config('dockerfile_ls', {
  on_exit = function(code, signal, client_id)
    DOCKERFILE_LS_TEST.exits[client_id] = { code = code, signal = signal }
  end,
})
vim.lsp.enable('dockerfile_ls')
