-- Test config for Neovim 0.7-0.10: the plugin folder editors/nvim, started the way its README
-- says (`require('dockerfile_ls').setup()`), with `dockerfile-ls` found on PATH.
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
