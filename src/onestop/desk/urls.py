"""Public pages of desk, mounted at ``desk/`` (namespace ``desk``)."""

from django.urls import path

from .views import knowledge, public, supervision

app_name = "desk"

urlpatterns = [
    path("", public.index, name="index"),
    path("new/", public.new, name="new"),
    path("mine/", public.mine, name="mine"),
    path("mine/<str:number>/", public.mine_detail, name="mine-detail"),
    path("mine/<str:number>/accept/", public.accept, name="accept"),
    path("mine/<str:number>/reopen/", public.reopen, name="reopen"),
    path("liaisons/", public.liaisons, name="liaisons"),
    path("supervisor/", supervision.supervisor_home, name="supervisor"),
    path("kb/", knowledge.kb_index, name="kb"),
    path("kb/<int:pk>/", knowledge.kb_article, name="kb-article"),
]
