from django.contrib import admin

from quizzes.models import Attempt, AttemptItem, Bank, BankShare, Item, Quiz, QuizRule, Topic

admin.site.register(Topic)
admin.site.register(Bank)
admin.site.register(BankShare)
admin.site.register(Item)


class QuizRuleInline(admin.TabularInline):
    model = QuizRule
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    inlines = [QuizRuleInline]


admin.site.register(Attempt)
admin.site.register(AttemptItem)
