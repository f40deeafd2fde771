;;; dockerfile-ls.el --- use dockerfile-ls through eglot  -*- lexical-binding: t; -*-

;; Put this in your init file (or `load' this file).  eglot is built into Emacs 29+; on
;; Emacs 28 install it from ELPA (Debian: `apt-get install elpa-eglot').  A major mode for
;; Dockerfiles comes from `dockerfile-mode' (MELPA, Debian `elpa-dockerfile-mode') or, on
;; Emacs 29+, the built-in `dockerfile-ts-mode'.

;;; Code:

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((dockerfile-mode dockerfile-ts-mode) . ("dockerfile-ls"))))

;; Containerfile, Containerfile.*, *.dockerfile and Dockerfile.* open in the Dockerfile mode.
(add-to-list 'auto-mode-alist
             '("\\(?:\\`\\|/\\)\\(?:[Dd]ockerfile\\|[Cc]ontainerfile\\)\\(?:\\.[^/]*\\)?\\'"
               . dockerfile-mode))
(add-to-list 'auto-mode-alist '("\\.[Dd]ockerfile\\'" . dockerfile-mode))

(add-hook 'dockerfile-mode-hook #'eglot-ensure)
(add-hook 'dockerfile-ts-mode-hook #'eglot-ensure)

;; Server settings (keys as in docs/editors.md), answered to workspace/configuration:
;; (setq-default eglot-workspace-configuration
;;               '(:dockerfile-ls (:target "release"
;;                                 :diagnostics (:rules (:MaintainerDeprecated "off")))))

(provide 'dockerfile-ls)
;;; dockerfile-ls.el ends here
