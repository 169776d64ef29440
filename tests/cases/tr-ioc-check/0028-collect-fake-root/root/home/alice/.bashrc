alias ls="ls --color"
