-- Test config through `require('dockerfile_ls').setup()`, the way editors/nvim/README.md says
-- for Neovim 0.7-0.10 (also run on 0.11, where setup() goes through vim.lsp.config), with
-- `dockerfile-ls` found on PATH.
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.opt.runtimepath:prepend(vim.env.DOCKERFILE_LS_NVIM_PLUGIN)
_G.DOCKERFILE_LS_TEST = { exits = {} }
require('dockerfile_ls').setup({
  -- test hook only: on_exit runs in a luv callback, so store into a plain Lua table
  on_exit = function(code, signal, client_id)
    DOCKERFILE_LS_TEST.exits[client_id] = { code = code, signal = signal }
  end,
})
